"""Refuses to start a crawl that would render pages without a browser."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.browser import browser_problem, handler_problem, render_mode

logger = logging.getLogger(__name__)


class BrowserMissing(RuntimeError):
    """The spider renders pages but the browser (or the scrapy-playwright handler) is not there."""


class BrowserCheck:
    """Extension: when the spider renders JS (``render_js`` True or ``"all"``), check the stack first.

    Out of the box a missing browser fails every rendered request and ``scrapy crawl`` still exits 0.
    This extension runs while the crawler is built (the spider exists, the engine does not yet) and
    raises ``BrowserMissing`` when ``PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]`` is not an executable
    or ``DOWNLOAD_HANDLERS`` for http/https is not a scrapy-playwright handler: the crawl stops before
    it requests anything, the log says CRITICAL and how to install Chromium, and ``scrapy crawl``
    exits 1. A spider that renders nothing is not checked (and starts no browser).

    Settings: ``PLAYWRIGHT_LAUNCH_OPTIONS``, ``PLAYWRIGHT_CDP_URL``/``PLAYWRIGHT_CONNECT_URL`` (a remote
    browser is not checked), ``DOWNLOAD_HANDLERS``. Spider attribute: ``render_js``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserCheck:
        spider = getattr(crawler, "spider", None)
        if render_mode(spider) == "off":
            raise NotConfigured  # the spider renders no page (no message: Scrapy would log a warning)
        problem = handler_problem(crawler.settings) or browser_problem(crawler.settings)
        if problem:
            logger.critical("%s renders JavaScript pages but cannot: %s", getattr(spider, "name", "spider"), problem)
            raise BrowserMissing(problem)
        return cls(crawler)
