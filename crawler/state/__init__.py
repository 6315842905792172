"""Durable crawl state behind deduplication, incremental crawls and learned boilerplate.

``get_store(crawler)`` gives the one store of a crawl, opened on first use from the
settings and closed when the spider closes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle
from crawler.state.memory import MemoryStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

__all__ = ["DuplicateRecord", "MemoryStore", "StateStore", "StoredArticle", "get_store", "open_store"]

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
    return SQLiteStore(path, cache_kib=settings.getint("STATE_SQLITE_CACHE_KIB", 16384))


def get_store(crawler: Crawler) -> StateStore:
    store = _STORES.get(crawler)
    if store is None:
        store = _STORES[crawler] = open_store(crawler.settings)
        crawler.signals.connect(lambda: _close(crawler), signal=signals.spider_closed, weak=False)
    return store


def _close(crawler: Crawler) -> None:
    store = _STORES.pop(crawler, None)
    if store is not None:
        store.close()
