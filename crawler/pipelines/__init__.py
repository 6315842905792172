"""Item pipelines, one per module, ordered in ``ITEM_PIPELINES``.

This package module holds what the three cleaning pipelines share: how a removal is recorded
on the item (``cleaning`` counts, optional ``extra["cleaning_log"]``) and in the stats.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.cleaning import Removal

logger = logging.getLogger(__name__)

SHRINK_WARNING = 0.5


def record_cleaning(crawler: Crawler, adapter: ItemAdapter, counts: Counter[str]) -> None:
    """Add ``counts`` to ``item.cleaning`` and to the stats as ``cleaning/<kind>``."""
    if not counts:
        return
    cleaning = adapter.get("cleaning")
    if cleaning is None:
        cleaning = {}
        adapter["cleaning"] = cleaning
    stats = crawler.stats
    for kind, n in sorted(counts.items()):
        if n:
            cleaning[kind] = cleaning.get(kind, 0) + n
            if stats is not None:
                stats.inc_value(f"cleaning/{kind}", n)


def record_removals(crawler: Crawler, adapter: ItemAdapter, removed: Iterable[Removal], log: bool) -> Counter[str]:
    """Count removals by kind on the item and in the stats; with ``log`` also list them in
    ``extra["cleaning_log"]`` as ``{"line", "kind", "rule"}``. Returns the counts."""
    removed = list(removed)
    counts = Counter(removal.kind for removal in removed)
    record_cleaning(crawler, adapter, counts)
    if log and removed:
        extra = adapter.get("extra")
        if extra is None:
            extra = {}
            adapter["extra"] = extra
        extra.setdefault("cleaning_log", []).extend(removal.as_dict() for removal in removed)
    if removed:
        logger.debug(
            "Cleaned %s: %s", adapter.get("url"), ", ".join(f"{kind}={n}" for kind, n in sorted(counts.items()))
        )
    return counts


def body_chars(lines: list[str]) -> int:
    """The length of a body (a list of paragraphs) as stored: one paragraph a line."""
    return sum(len(line) for line in lines) + max(0, len(lines) - 1)


def check_shrink(crawler: Crawler, adapter: ItemAdapter, before: list[str], after: list[str],
                 removed: Iterable[Removal]) -> None:
    """Warn (once per item, with its URL) when the cleaned body is shorter than half the raw body.

    The characters removed by the cleaning pipelines so far are summed in the item's
    ``cleaning["removed_chars"]``, so the raw length is the current length plus that sum.
    """
    cleaning: dict[str, int] = adapter.get("cleaning") or {}
    removed_before = cleaning.get("removed_chars", 0)
    chars_before, chars_after = body_chars(before), body_chars(after)
    raw = chars_before + removed_before
    now_removed = removed_before + max(0, chars_before - chars_after)
    if now_removed:
        cleaning["removed_chars"] = now_removed
        adapter["cleaning"] = cleaning
    if raw and chars_after < SHRINK_WARNING * raw <= chars_before:
        reasons = Counter(removal.kind for removal in removed)
        logger.warning(
            "Cleaning kept %d of %d characters of %s (%s): check the removals",
            chars_after,
            raw,
            adapter.get("url"),
            ", ".join(f"{kind}={n}" for kind, n in sorted(reasons.items())) or "no removals",
        )
        if crawler.stats is not None:
            crawler.stats.inc_value("cleaning/shrunk_below_half")
