"""A site spider whose feeds and sitemaps live on the hostile test server: ``-a base=http://127.0.0.1:PORT``."""

from __future__ import annotations

from typing import Any

from crawler.spiders.base import ArticleSpider

FEEDS = ("good.xml", "garbage.xml", "truncated.xml", "nul.xml", "empty.xml", "html.xml", "binary.xml")
SITEMAPS = ("good.xml", "garbage.xml", "truncated.xml", "corrupt.xml.gz", "empty.xml", "index-loop.xml",
            "binary.xml")


class HostileSpider(ArticleSpider):
    name = "hostile"
    allowed_domains = ["127.0.0.1"]
    article_url_pattern = r"/good/\d+\.html"

    def __init__(self, *args: Any, base: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed_urls = [f"{base}/feed/{name}" for name in FEEDS]
        self.sitemap_urls = [f"{base}/sitemap/{name}" for name in SITEMAPS]
