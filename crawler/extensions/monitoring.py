"""Runs the spidermon monitor suites of ``SPIDERMON_SPIDER_CLOSE_MONITORS`` when the spider closes.

Spidermon's own extension (``spidermon.contrib.scrapy.extensions.Spidermon``, 1.27) reports through
``Spider.log()``, deprecated in Scrapy 2.19: every crawl would log a ``ScrapyDeprecationWarning``.
This extension runs the same suites with spidermon's public runner and result classes, reporting
through ``spider.logger``, and gives the suites and actions the same data (``stats``, ``crawler``,
``spider``, ``sc_spider_name``, ``job``). It supports the open, close and engine-stop suites
(``SPIDERMON_SPIDER_OPEN_MONITORS``, ``SPIDERMON_SPIDER_CLOSE_MONITORS``, ``SPIDERMON_ENGINE_STOP_MONITORS``),
not spidermon's periodic or expression suites. Off unless ``SPIDERMON_ENABLED``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object
from spidermon import MonitorSuite
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner

LOG_HEADER = "[Spidermon]"


class LoggerMonitorResult(SpiderMonitorResult):
    def log(self, msg: Any, level: int = logging.DEBUG) -> None:
        self.spider.logger.log(level, f"{LOG_HEADER} {msg}")


class LoggerMonitorRunner(SpiderMonitorRunner):
    def create_result(self) -> LoggerMonitorResult:
        return LoggerMonitorResult(self.spider)


class Monitoring:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("SPIDERMON_ENABLED"):
            raise NotConfigured  # no message: Scrapy would log it as a warning
        self.crawler = crawler
        self.suites = {name: crawler.settings.getlist(name) for name in (
            "SPIDERMON_SPIDER_OPEN_MONITORS", "SPIDERMON_SPIDER_CLOSE_MONITORS", "SPIDERMON_ENGINE_STOP_MONITORS")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Monitoring:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.run("SPIDERMON_SPIDER_OPEN_MONITORS", spider)

    def spider_closed(self, spider: Spider) -> None:
        self.run("SPIDERMON_SPIDER_CLOSE_MONITORS", spider)

    def engine_stopped(self) -> None:
        if self.crawler.spider is not None:
            self.run("SPIDERMON_ENGINE_STOP_MONITORS", self.crawler.spider)

    def run(self, setting: str, spider: Spider) -> None:
        for path in self.suites[setting]:
            suite_cls = load_object(path)
            if not (isinstance(suite_cls, type) and issubclass(suite_cls, MonitorSuite)):
                raise NotConfigured(f"{setting}: {path} is not a spidermon MonitorSuite")
            data = {"stats": self.crawler.stats.get_stats(), "stats_history": [], "crawler": self.crawler,
                    "spider": spider, "sc_spider_name": spider.name, "job": None}
            LoggerMonitorRunner(spider=spider).run(suite_cls(crawler=self.crawler), **data)
