"""Sends the pages a spider renders through the browser (scrapy-playwright); the rest stay plain HTTP."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro
from scrapy_playwright.page import PageMethod

from crawler.browser import browser_problem, wait_selector, wants_render

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class RenderJsMiddleware:
    """Downloader middleware: marks the requests to render with the scrapy-playwright meta keys.

    A request is rendered when its meta ``render_js`` is true, or, without that key, when the spider's
    ``render_js`` is True (article requests, meta ``article``, only) or ``"all"`` (every page); robots.txt,
    feeds and sitemaps never are (``crawler.browser.wants_render``). A rendered request gets meta
    ``playwright``, ``playwright_context`` and, unless it brings its own, ``playwright_page_methods``
    that wait for the article container: meta ``wait_selector``, else the spider's ``wait_selector``,
    else the CSS of its ``body`` selector; with none of them the page is read at network idle.
    A container that never appears fails the request (Playwright TimeoutError, counted by Scrapy in
    ``downloader/exception_type_count``); scrapy-playwright closes the page of any failed request.

    Settings: ``RENDER_JS_WAIT_TIMEOUT`` (ms to wait for the container, default 15000),
    ``RENDER_JS_CONTEXT`` (browser context name, default ``render``), and the ``PLAYWRIGHT_*`` settings
    of scrapy-playwright (handlers, launch options, page and context bounds).
    Stats: ``render_js/requests``, ``render_js/wait_selector``, ``render_js/networkidle``,
    ``render_js/browser_missing``. When the browser is missing at the first rendered request, the
    spider closes with reason ``browser_missing`` (``BrowserCheck`` refuses to start such a crawl when
    the spider renders by attribute).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.wait_timeout = settings.getfloat("RENDER_JS_WAIT_TIMEOUT", 15000)
        self.context_name = settings.get("RENDER_JS_CONTEXT") or "render"
        self.problem: str | None = None
        self.checked = False
        self._closing: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderJsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        meta = request.meta
        if not wants_render(spider, request):
            if meta.get("render_js") is False:
                meta.pop("playwright", None)
            return None
        self._check_browser(request)
        stats = self.crawler.stats
        meta["playwright"] = True
        meta.setdefault("playwright_context", self.context_name)
        stats.inc_value("render_js/requests")
        if "playwright_page_methods" in meta:
            return None
        selector = meta.get("wait_selector") or wait_selector(spider)
        if selector:
            meta["playwright_page_methods"] = [
                PageMethod("wait_for_selector", selector, state="attached", timeout=self.wait_timeout)]
            stats.inc_value("render_js/wait_selector")
        else:
            goto: dict[str, Any] = meta.setdefault("playwright_page_goto_kwargs", {})
            goto.setdefault("wait_until", "networkidle")
            stats.inc_value("render_js/networkidle")
        return None

    def _check_browser(self, request: Request) -> None:
        if not self.checked:
            self.checked = True
            self.problem = browser_problem(self.crawler.settings)
            if self.problem:
                logger.critical(self.problem)
                self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="browser_missing"))
        if self.problem:
            self.crawler.stats.inc_value("render_js/browser_missing")
            raise IgnoreRequest(f"not rendered ({self.problem}): {request.url}")
