"""Tunes Python's garbage collector for a long crawl: start-up objects frozen; thresholds by setting."""

from __future__ import annotations

import gc
import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class CollectorTuning:
    """Extension: ``gc.freeze()`` once the engine has started, and the collector's thresholds if set.

    A crawl creates some 150,000 long-lived objects while it starts (modules, settings, the
    spider, compiled selectors and rules); every full collection walks all of them again,
    though they live as long as the process. Frozen (``gc.freeze()``, after one collection),
    they are left out of every later collection.

    Settings: ``GC_FREEZE`` (True), ``GC_THRESHOLD`` (empty: Python's; else up to three
    ``gc.set_threshold`` values). A raised young-generation threshold lets cyclic garbage pile up
    between collections: "50000,20,100" held 1.5x the memory of Python's over 20,000 pages for no
    speed (``bench/bench_memory.py``). The previous thresholds come back when the engine stops;
    frozen objects are unfrozen.
    """

    def __init__(self, crawler: Crawler, freeze: bool, threshold: tuple[int, ...] | None) -> None:
        self.crawler = crawler
        self.freeze = freeze
        self.threshold = threshold
        self.previous = gc.get_threshold()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorTuning:
        settings = crawler.settings
        freeze = settings.getbool("GC_FREEZE", True)
        raw = str(settings.get("GC_THRESHOLD") or "").strip()
        threshold: tuple[int, ...] | None = None
        if raw:
            try:
                threshold = tuple(int(v) for v in raw.split(","))
            except ValueError:
                raise ValueError(f"GC_THRESHOLD={raw!r}: expected up to three integers, e.g. 50000,20,100") from None
            if not 1 <= len(threshold) <= 3 or threshold[0] < 0:
                raise ValueError(f"GC_THRESHOLD={raw!r}: expected up to three integers, e.g. 50000,20,100")
        if not freeze and threshold is None:
            raise NotConfigured  # nothing to do (no message: Scrapy would log it as a warning)
        ext = cls(crawler, freeze, threshold)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if self.threshold is not None:
            gc.set_threshold(*self.threshold)
        if self.freeze:
            gc.collect()
            gc.freeze()
            logger.debug("Collector: %d start-up objects frozen, thresholds %s", gc.get_freeze_count(),
                         gc.get_threshold())

    def engine_stopped(self) -> None:
        if self.freeze:
            gc.unfreeze()
        gc.set_threshold(*self.previous)
