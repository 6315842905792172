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

# Throughput (bench/bench_crawl.py measures each): items of one response go through the pipelines one after
# another (Scrapy's default of 100 creates 100 asyncio tasks for every response, items or not); start-up
# objects are frozen out of the garbage collector (CollectorTuning). A raised young-generation threshold
# ("50000,20,100") was no faster over 20,000 pages and held 1.5x the memory, growing 55 MB per 10k pages
# against 9 with Python's thresholds (bench/bench_memory.py, bench/RESULTS.md 2026-11-25): left as Python's.
CONCURRENT_ITEMS = 1
GC_FREEZE = True
GC_THRESHOLD = ""

# Output and state (crawler/state: SQLite in DATA_DIR; Redis when REDIS_URL is set)
DATA_DIR = os.environ.get("DATA_DIR", "data")
STORE_ENABLED = True
STORE_FSYNC = False
STATE_ENABLED = True
INCREMENTAL_ENABLED = True
PENDING_ENABLED = True
PENDING_MAX_ATTEMPTS = 3  # runs a pending article URL is retried before it is dropped (0: forever)

# Cleaning
TEXT_SCRIPT = "keep"  # or "hans" / "hant": OpenCC conversion of title and body
CLEANING_LOG = False  # True: item.extra["cleaning_log"] lists every removed line and the rule that removed it
BOILERPLATE_RULES_FILE = os.path.join(os.path.dirname(__file__), "rules", "boilerplate.txt")
BOILERPLATE_MIN_ARTICLES = 5  # a line seen in this many articles of one site is learned boilerplate
BOILERPLATE_LEARN = None  # None: learn only with a durable state (STATE_ENABLED); True/False forces it

# Validation and deduplication (URL, exact content, near-duplicate MinHash/LSH)
VALIDATE_MIN_BODY_CHARS = 20
VALIDATE_MIN_YEAR = 1990  # an earlier published_at/updated_at is implausible: moved to extra, counted
VALIDATE_MAX_FUTURE_DAYS = 1  # so is one later than the crawl time plus this
STATE_PATH = None  # default DATA_DIR/state.sqlite; REDIS_URL switches to Redis
STATE_SQLITE_CACHE_KIB = 16384  # SQLite page cache cap: resident memory stops growing there
STATE_BATCH_WRITES = 500  # state writes committed in one transaction (about 100 articles)...
STATE_BATCH_SECONDS = 0.5  # ...or this old, whichever comes first
STATE_BAND_RUN_ARTICLES = 32768  # near-duplicate bands are indexed in runs of this many articles (crawler/state)
DEDUP_ENABLED = True
DEDUP_NEAR_THRESHOLD = 0.5
DEDUP_SHINGLE = 4  # changing SHINGLE / NUM_PERM / BANDS invalidates the stored bands
DEDUP_NUM_PERM = 128
DEDUP_BANDS = 32
DEDUP_MIN_CHARS = 50  # shorter normalised bodies get the exact check only
STATS_FILE = ""  # e.g. "data/stats/{spider}.json": the final stats as JSON

# Monitoring (crawler/monitors.py, spidermon): every spider is checked when it closes; `scrapy crawl` and
# `scrapy crawlall` exit 1 when a check fails. Alerts (e-mail, Slack, Telegram, Sentry, a file) stay off until
# their SPIDERMON_* settings are set: see README, "Monitoring, alerts, reports and exit codes".
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitors.CrawlMonitorSuite"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished", "limit", "closespider_timeout", "closespider_itemcount",
                                     "closespider_pagecount"]
SPIDERMON_MAX_ERRORS = 0  # any ERROR line (a spider or pipeline exception, a failed write) fails the crawl
SPIDERMON_SENTRY_PROJECT_NAME = BOT_NAME
SPIDERMON_SLACK_SENDER_NAME = BOT_NAME
SPIDERMON_REPORT_TEMPLATE = "reports/email/monitors/result.jinja"  # spidermon's; used with SPIDERMON_REPORT_FILENAME
MONITOR_MIN_ARTICLES = 1  # articles stored or already held; a site raises it with its `min_articles` attribute
MONITOR_MIN_SAMPLE = 10  # extracted articles needed before coverage, fallback and cleaning shares are judged
MONITOR_FIELD_COVERAGE = {"title": 0.9, "published_at": 0.7}  # least share of extracted articles with the field
MONITOR_MAX_FALLBACK_RATE = 0.5  # a field taken from a later layer than the site declares: its layout changed
MONITOR_MAX_IMPLAUSIBLE_DATE_SHARE = 0.05
MONITOR_MAX_CLEANING_SHARE = 0.2  # articles that cleaning cut below half their length

# JavaScript pages: spiders with render_js go through scrapy-playwright and Debian's Chromium;
# the handler starts nothing until the first request that needs the browser.
DOWNLOAD_HANDLERS = {
    "http": "crawler.browser.LazyPlaywrightDownloadHandler",
    "https": "crawler.browser.LazyPlaywrightDownloadHandler",
}
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
             "--disable-backgrounding-occluded-windows", "--blink-settings=imagesEnabled=false", "--mute-audio",
             "--disable-extensions"],
}
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.should_abort_request"
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 8  # bench/bench_render.py: 6.9 rendered pages/s at 8, 5.0 at 4 (2 cores)
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
RENDER_JS_WAIT_TIMEOUT = 15000
RENDER_JS_REUSE_PAGES = True  # browser pages stay open from one request to the next (crawler.browser.PagePool)
RENDER_JS_PAGE_MAX_USES = 100  # then the page is closed and a fresh one opened

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.render_js.RenderJsMiddleware": 50,
    "crawler.middlewares.incremental.IncrementalMiddleware": 80,
    # after HttpCompressionMiddleware (590) has decompressed the body
    "crawler.middlewares.encoding.EncodingMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    "crawler.extensions.storage_guard.StorageGuardMiddleware": 30,  # below the pending URLs: handles their writes
    "crawler.middlewares.pending.PendingArticlesMiddleware": 40,
}
EXTENSIONS = {
    "crawler.extensions.browser_check.BrowserCheck": 0,
    "crawler.extensions.collector.CollectorTuning": 10,
    "crawler.extensions.storage_guard.StorageGuard": 100,
    "crawler.extensions.spider_errors.SpiderErrors": 100,
    "crawler.extensions.monitoring.Monitoring": 400,  # spidermon suites; before STATS_FILE is written
    "crawler.extensions.stats_file.StatsFileExtension": 500,
}

ITEM_PIPELINES = {
    "crawler.pipelines.normalize_text.NormalizeTextPipeline": 100,
    "crawler.pipelines.strip_boilerplate.StripBoilerplatePipeline": 200,
    "crawler.pipelines.drop_repeated_paragraphs.DropRepeatedParagraphsPipeline": 300,
    "crawler.pipelines.validate_article.ValidateArticlePipeline": 400,
    "crawler.pipelines.deduplicate_articles.DeduplicateArticlesPipeline": 500,
    "crawler.pipelines.store_jsonl.StoreJsonlPipeline": 900,
}

# Many machines (crawler/distributed): with REDIS_URL set (-s or the environment) every `scrapy crawl` is a
# worker sharing one scrapy-redis queue, request dupefilter and the Redis state store. An add-on applies the
# scheduler settings, so `-s REDIS_URL=...` works as well as the environment variable.
ADDONS = {"crawler.distributed.addon.DistributedAddon": 0}
REDIS_URL = os.environ.get("REDIS_URL", "")
STORE_WORKER_ID = os.environ.get("STORE_WORKER_ID", "")  # distributed default: <hostname>-<pid>
STATE_REDIS_PREFIX = "state"
WORKER_IDLE_TIMEOUT = 60  # s with the whole fleet idle before a worker closes; 0 = wait for `scrapy seed` forever
WORKER_HEARTBEAT_TTL = 30  # s of silence after which a worker's in-flight requests are re-queued
WORKER_FRESH_ROUND = True  # the first worker of an idle fleet clears the request dupefilter
