"""The one settings module, grouped by component. Override any of them with ``-s NAME=VALUE``."""

from __future__ import annotations

import os

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"
TEMPLATES_DIR = os.path.join(os.path.dirname(__file__), "templates")

# Politeness and identity
USER_AGENT = "news-corpus-crawler/1.0 (+https://pypi.org/project/scrapy/; research corpus builder)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8

# Robustness
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10

# Components this project does not use (Scrapy 2.19 starts a remote-control server by default)
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# HTTP cache: off; for developing a spider, `-s HTTPCACHE_ENABLED=1` replays pages from .scrapy/httpcache
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Output and state
DATA_DIR = os.environ.get("DATA_DIR", "data")
STORE_ENABLED = True
STORE_FSYNC = False
STATE_ENABLED = True

# Validation
VALIDATE_MIN_BODY_CHARS = 20

DOWNLOADER_MIDDLEWARES = {
    # after HttpCompressionMiddleware (590) has decompressed the body
    "crawler.middlewares.encoding.EncodingMiddleware": 560,
}

ITEM_PIPELINES = {
    "crawler.pipelines.validate_article.ValidateArticlePipeline": 400,
    "crawler.pipelines.store_jsonl.StoreJsonlPipeline": 900,
}
