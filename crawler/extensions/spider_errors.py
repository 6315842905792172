"""Counts the ERROR and CRITICAL log lines of one spider (stat ``errors/logged``), for the error monitor.

Scrapy's ``log_count/ERROR`` counts every line of the process, so when ``scrapy crawlall`` runs
several spiders at once an error of one spider counts for all. This handler counts a record for
its own spider (``extra={"spider": ...}``, as Scrapy's scraper, engine and spider loggers set it),
and a record that names no spider for every spider running.
"""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler


class SpiderErrorHandler(logging.Handler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(level=logging.ERROR)
        self.crawler = crawler

    def emit(self, record: logging.LogRecord) -> None:
        spider = getattr(record, "spider", None)
        if str(record.msg).startswith("[Spidermon]"):
            return  # spidermon reporting a failed monitor: already counted as that failure
        if spider is None or spider is self.crawler.spider:
            self.crawler.stats.inc_value("errors/logged")


class SpiderErrors:
    """Extension: installs the handler while its spider runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.handler = SpiderErrorHandler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderErrors:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        logging.root.addHandler(self.handler)

    def engine_stopped(self) -> None:
        logging.root.removeHandler(self.handler)
