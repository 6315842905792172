"""Durable crawl state behind deduplication, incremental crawls and learned boilerplate.

``get_store(crawler)`` gives the one store of a crawl, opened on first use from the
settings and closed when the spider closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.state.base import StateStore
from crawler.state.memory import MemoryStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_STORES: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def open_store(settings) -> StateStore:  # type: ignore[no-untyped-def]
    """A store for these settings: in memory unless ``STATE_ENABLED``."""
    if not settings.getbool("STATE_ENABLED", True):
        return MemoryStore()
    # Durable backends (SQLite, Redis) are wired in by the deduplication work.
    return MemoryStore()


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
