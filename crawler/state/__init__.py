"""Durable crawl state behind deduplication, incremental crawls and learned boilerplate.

``get_store(crawler)`` gives the one store of a crawl, opened on first use from the
settings and closed when the spider closes. Its batched writes are committed every
``STATE_BATCH_SECONDS`` (0.5) or ``STATE_BATCH_WRITES`` (500, about 100 articles), whichever
comes first. A commit that fails (disk full, read-only file) logs one ERROR naming the file
and the reason (unless the JSONL store already reported a failed write), sets ``store/error``,
counts ``store/write_errors`` and closes the spider with the finish reason ``store_failed``;
what the batch held is registered again from the JSONL on the next run.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle
from crawler.state.memory import MemoryStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

__all__ = ["DuplicateRecord", "MemoryStore", "StateStore", "StoredArticle", "commit_store", "get_store", "open_store"]

logger = logging.getLogger(__name__)

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def open_store(settings: BaseSettings) -> StateStore:
    """A store for these settings.

    ``STATE_ENABLED = False``: in memory. ``REDIS_URL`` set: ``crawler.state.redis.RedisStore``
    (shared by distributed workers). Otherwise SQLite (WAL) at ``STATE_PATH``
    (default ``DATA_DIR/state.sqlite``).
    """
    if not settings.getbool("STATE_ENABLED", True):
        return MemoryStore()
    redis_url = settings.get("REDIS_URL")
    if redis_url:
        try:
            from crawler.state.redis import RedisStore  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise RuntimeError(
                f"REDIS_URL is set but the Redis state backend cannot be imported ({exc}); "
                "install redis and crawler/state/redis.py, or unset REDIS_URL"
            ) from exc
        return RedisStore.from_settings(settings)  # type: ignore[no-any-return]
    from crawler.state.sqlite import SQLiteStore

    path = settings.get("STATE_PATH") or str(Path(settings.get("DATA_DIR", "data")) / "state.sqlite")
    return SQLiteStore(path, cache_kib=settings.getint("STATE_SQLITE_CACHE_KIB", 16384),
                       batch_writes=settings.getint("STATE_BATCH_WRITES", 500),
                       batch_seconds=settings.getfloat("STATE_BATCH_SECONDS", 0.5),
                       run_articles=settings.getint("STATE_BAND_RUN_ARTICLES", 32768))


def get_store(crawler: Crawler) -> StateStore:
    store = _STORES.get(crawler)
    if store is None:
        store = _STORES[crawler] = open_store(crawler.settings)
        committer = _Committer(crawler, store)
        crawler.signals.connect(committer.close, signal=signals.spider_closed, weak=False)
    return store


def commit_store(crawler: Crawler, only_if_due: bool = False, save: bool = False) -> None:
    """Commit the crawl's batched state writes now (``only_if_due``: if the batch is full or old enough;
    ``save``: and save what the store keeps beside its file, such as the SQLite band filter).

    A failure is handled as the timer's are: one ERROR, ``store/write_errors``, finish reason ``store_failed``.
    """
    store = _STORES.get(crawler)
    if store is not None and (not only_if_due or store.flush_due()):
        _commit(crawler, store)
        if save and hasattr(store, "save_filter"):
            store.save_filter()


def _commit(crawler: Crawler, store: StateStore) -> None:
    try:
        store.flush()
    except Exception as exc:
        _failed(crawler, store, exc)


def _failed(crawler: Crawler, store: StateStore, exc: BaseException) -> None:
    from crawler.extensions.storage_guard import storage_problem

    crawler.stats.inc_value("store/write_errors")
    if getattr(store, "_reported", False):
        return
    store._reported = True  # type: ignore[attr-defined]
    where = getattr(store, "path", None) or type(store).__name__
    if not crawler.stats.get_value("store/error"):  # else the JSONL store failed first and said so
        reason = storage_problem(exc, where) or f"{where}: {exc}"
        logger.error("Cannot write the crawl state (%s): stopping the crawl (the articles already written are "
                     "registered again from the JSONL on the next run)", reason)
        crawler.stats.set_value("store/error", f"cannot write the state: {reason}")
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason="store_failed"))


class _Committer:
    """Commits the store's batch when it is old enough, and once more when the spider closes."""

    def __init__(self, crawler: Crawler, store: StateStore) -> None:
        self.crawler = crawler
        self.store = store
        if hasattr(store, "on_flush_error"):
            store.on_flush_error = lambda exc: _failed(crawler, store, exc)
        self.loop: task.LoopingCall | None = None
        seconds = crawler.settings.getfloat("STATE_BATCH_SECONDS", 0.5)
        if seconds > 0 and getattr(store, "batch_writes", 1) > 1:
            reactor = sys.modules.get("twisted.internet.reactor")  # never install one (unit tests have none)
            if reactor is not None and reactor.running:
                self.loop = task.LoopingCall(self.tick)
                self.loop.start(seconds / 2, now=False)

    def tick(self) -> None:
        if self.store.flush_due():
            _commit(self.crawler, self.store)

    def close(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if _STORES.get(self.crawler) is self.store:
            _STORES.pop(self.crawler, None)
        try:
            self.store.flush()
        except Exception as exc:
            _failed(self.crawler, self.store, exc)
        finally:
            try:
                self.store.close()
            except Exception as exc:
                _failed(self.crawler, self.store, exc)
