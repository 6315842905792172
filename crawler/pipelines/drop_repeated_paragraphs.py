"""Drops repeated paragraphs: a body printed twice, a heading printed twice, a near-copy of a paragraph."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.cleaning.repeats import drop_repeated
from crawler.pipelines import check_shrink, record_removals


class DropRepeatedParagraphsPipeline:
    """Keeps the first occurrence of every paragraph of ``body``; a later paragraph that is equal
    after normalisation, nearly equal (small edits, other punctuation) or a piece of an earlier one
    is dropped, and a whole repeated article collapses to one copy. A first line repeating the
    title goes too. Short lines that legitimately recur (headings, interview questions, captions)
    stay unless they sit inside a repeated block. Deterministic: depends on the article alone.

    Settings: ``CLEANING_LOG`` (default False: list every removal in ``extra["cleaning_log"]``).
    Counted on ``item.cleaning`` and in the stats as ``cleaning/repeated_paragraph``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.log = crawler.settings.getbool("CLEANING_LOG", False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DropRepeatedParagraphsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        body: list[str] = adapter.get("body") or []
        if not body:
            return item
        lines, removed = drop_repeated(body, adapter.get("title") or "")
        if removed:
            adapter["body"] = lines
            record_removals(self.crawler, adapter, removed, self.log)
            check_shrink(self.crawler, adapter, body, lines, removed)
        return item
