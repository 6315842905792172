"""Stops a crawl at the first failed write to DATA_DIR (full disk, read-only or unwritable folder)."""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}
_SQLITE = ("disk is full", "readonly database", "unable to open database", "disk i/o error")


def storage_problem(exc: BaseException | None, state: str = "state store") -> str | None:
    """A one-line reason when ``exc`` (or the error it was raised while handling, such as SQLite's failed
    rollback after a full disk) is a failed write to the disk, else None."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno in _ERRNOS:
            where = f"{exc.filename}: " if exc.filename else ""
            return f"{where}{exc.strerror or exc}"
        if isinstance(exc, sqlite3.OperationalError) and any(m in str(exc).lower() for m in _SQLITE):
            return f"{state}: {exc}"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def stop_on_storage_error(crawler: Crawler, exc: BaseException) -> bool:
    """When ``exc`` is a failed write to DATA_DIR: count it (``store/write_errors``), and the first time record the
    reason (``store/error``), log it in one line and close the spider with ``store_failed``. False otherwise."""
    settings = crawler.settings
    state = settings.get("STATE_PATH") or str(Path(settings.get("DATA_DIR", "data")) / "state.sqlite")
    problem = storage_problem(exc, state)
    if problem is None:
        return False
    crawler.stats.inc_value("store/write_errors")
    if crawler.stats.get_value("store/error"):  # already stopping (this guard, or the JSONL store)
        return True
    crawler.stats.set_value("store/error", problem)
    logger.error("Cannot write to DATA_DIR (%s): stopping the crawl", problem, extra={"spider": crawler.spider})
    assert crawler.engine is not None
    deferred_from_coro(crawler.engine.close_spider_async(reason="store_failed"))
    return True


class StorageGuard:
    """Extension: when a spider callback, a middleware or a pipeline fails because DATA_DIR cannot be written,
    record the reason (stats ``store/error``, ``store/write_errors``) and close the spider with the finish
    reason ``store_failed`` instead of failing every following article the same way.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorageGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.spider_error, signal=signals.spider_error)
        crawler.signals.connect(guard.item_error, signal=signals.item_error)
        return guard

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        stop_on_storage_error(self.crawler, failure.value)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        stop_on_storage_error(self.crawler, failure.value)


class StorageGuardMiddleware:
    """Spider middleware, placed before (below) the pending-URL middleware: a callback or a spider middleware
    that fails because DATA_DIR cannot be written (the pending URLs' SQLite writes on a full disk) is handled
    here, in the guard's one line, instead of Scrapy's "Spider error processing" with a traceback per page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorageGuardMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Any, exception: BaseException) -> list[Any] | None:
        return [] if stop_on_storage_error(self.crawler, exception) else None
