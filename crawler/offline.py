"""Runs the crawl's extraction and cleaning on saved pages, with no network and no stored state.

Used by ``scrapy extract``, ``scrapy evaluate``, ``scrapy savefixture`` and the fixture tests, so
a saved page gives exactly the item a crawl would store (less deduplication and storage). Only
Scrapy's public API: the spider comes from ``Spider.from_crawler``, the pipelines from
``ITEM_PIPELINES`` through ``build_from_crawler``; a pipeline that does not apply offline says so
with ``NotConfigured`` from its settings (``OFFLINE_SETTINGS`` turn the store and the state off).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings, Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.items import ArticleItem, item_record
from crawler.middlewares.encoding import fix_encoding

logger = logging.getLogger(__name__)

OFFLINE_SETTINGS = {
    "STORE_ENABLED": False,
    "STATE_ENABLED": False,
    "DEDUP_ENABLED": False,
    "TWISTED_REACTOR_ENABLED": False,
    "LOG_ENABLED": False,
}


@dataclass
class Outcome:
    """The stored form of the page's article (``item_record``: body as text, ISO dates), or why there is none."""

    item: dict[str, Any] | None
    error: str | None = None


def make_response(url: str, body: bytes, headers: dict[str, Any] | None = None,
                  captured_at: str | None = None) -> Response:
    """The response a download of ``url`` would give: type and encoding from headers, ``<meta charset>`` or bytes."""
    hdrs = Headers(headers or {})
    cls = responsetypes.from_args(headers=hdrs, url=url, body=body)
    if cls is Response and body.lstrip()[:1] == b"<":
        cls = HtmlResponse
    meta = {"captured_at": captured_at, "follow_pages": False} if captured_at else {"follow_pages": False}
    response = cls(url=url, body=body, headers=hdrs, request=Request(url, meta=meta))
    return fix_encoding(response)[0]


class OfflineExtractor:
    """Holds one crawler per spider and its pipelines; ``extract()`` one page at a time."""

    def __init__(self, settings: BaseSettings | None = None) -> None:
        if settings is None:
            from scrapy.utils.project import get_project_settings

            settings = get_project_settings()
        self.settings = settings.copy() if isinstance(settings, Settings) else Settings(settings)
        self.settings.setdict(OFFLINE_SETTINGS, priority="cmdline")
        self.loader = get_spider_loader(self.settings)
        self._crawlers: dict[str, tuple[Crawler, list[Any]]] = {}

    def spider_for_url(self, url: str) -> str:
        """The site spider whose ``allowed_domains`` cover the URL's host, else ``generic``."""
        host = (urlparse(url).hostname or "").lower()
        best, best_len = "generic", 0
        for name in self.loader.list():
            domains = getattr(self.loader.load(name), "allowed_domains", None) or []
            for domain in domains:
                if (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                    best, best_len = name, len(domain)
        return best

    def _crawler(self, name: str) -> tuple[Crawler, list[Any]]:
        if name not in self._crawlers:
            crawler = Crawler(self.loader.load(name), self.settings.copy())
            crawler.stats = load_object(crawler.settings["STATS_CLASS"])(crawler)
            crawler.spider = crawler.spidercls.from_crawler(crawler)
            pipelines = []
            for path in build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES")):
                try:
                    pipelines.append(build_from_crawler(load_object(path), crawler))
                except NotConfigured:
                    continue
            for pipe in pipelines:
                if hasattr(pipe, "open_spider"):
                    pipe.open_spider()
            self._crawlers[name] = (crawler, pipelines)
        return self._crawlers[name]

    def extract(self, body: bytes, url: str, spider: str | None = None, headers: dict[str, Any] | None = None,
                captured_at: str | None = None) -> Outcome:
        name = spider or self.spider_for_url(url)
        crawler, pipelines = self._crawler(name)
        response = make_response(url, body, headers, captured_at)
        spider = crawler.spider
        spider.last_rejection = None
        try:
            items = [r for r in spider.parse_article(response) if isinstance(r, ArticleItem)]
        except Exception as exc:  # a broken page or selector must not stop a batch
            logger.exception("Extraction of %s failed", url)
            return Outcome(None, f"extraction failed: {type(exc).__name__}: {exc}")
        if not items:
            return Outcome(None, f"no article ({spider.last_rejection or 'nothing extracted'})")
        item: Any = items[0]
        try:
            for pipe in pipelines:
                item = pipe.process_item(item)
                if inspect.isawaitable(item):
                    item = asyncio.run(item)  # type: ignore[arg-type]
        except DropItem as exc:
            return Outcome(None, f"dropped: {exc}")
        return Outcome(item_record(item))

    def stats(self, name: str) -> dict[str, Any]:
        return self._crawler(name)[0].stats.get_stats()

    def close(self) -> None:
        for _crawler, pipelines in self._crawlers.values():
            for pipe in pipelines:
                if hasattr(pipe, "close_spider"):
                    pipe.close_spider()
        self._crawlers.clear()
