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
from spidermon.settings import MONITOR, STEPS

from crawler.monitors import monitor_message

LOG_HEADER = "[Spidermon]"


class LoggerMonitorResult(SpiderMonitorResult):
    """Spidermon's log of a suite through ``spider.logger``, shorter: a failed monitor is one ERROR line with its
    message (an assertion's traceback says nothing to the reader; a monitor that raised keeps its traceback), and
    an actions step that ran only ``QUIET_ACTIONS`` (bookkeeping) or nothing goes to DEBUG."""

    QUIET_ACTIONS = frozenset({"RecordResults"})

    def __init__(self, spider: Spider) -> None:
        super().__init__(spider)
        self.buffered: list[tuple[int, str]] | None = None

    def next_step(self) -> None:
        self.buffered = None
        super().next_step()  # the step's title is its first line

    def log(self, msg: Any, level: int = logging.DEBUG) -> None:
        if self.step is not None and self.step.name in STEPS.ACTION_RELATED and self.buffered is None:
            self.buffered = []
        if self.buffered is not None:
            self.buffered.append((level, f"{LOG_HEADER} {msg}"))
        else:
            self.spider.logger.log(level, f"{LOG_HEADER} {msg}")

    def finish_step(self) -> None:
        super().finish_step()
        lines, self.buffered = self.buffered or [], None
        quiet = self.step.successful and all(r.item.name in self.QUIET_ACTIONS for r in self.step.all_items)
        for level, line in lines:
            self.spider.logger.log(logging.DEBUG if quiet and level == logging.INFO else level, line)

    def write_errors(self) -> None:
        for status in self.step.error_statuses:
            for result in self.step.items_for_status(status):
                if status == MONITOR.STATUS.FAILURE:
                    self.log_error(f"{result.status}: {result.item.name}: {monitor_message(result.error)}")
                else:
                    self.log_error(f"{result.status}: {result.item.name}\n{result.error}")


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
