"""Normalises the title and body text of every article."""

from __future__ import annotations

from collections import Counter
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.cleaning.normalize import SCRIPTS, normalize_text, normalize_title
from crawler.pipelines import record_cleaning


class NormalizeTextPipeline:
    """Unicode (NFC; full-width letters and digits folded, CJK punctuation kept as written),
    whitespace (runs collapsed, paragraphs stripped, empty ones dropped), zero-width and control
    characters, HTML entities and mojibake, on ``title`` and ``body`` (a list of paragraphs).

    Settings: ``TEXT_SCRIPT`` = ``"keep"`` (default) | ``"hans"`` | ``"hant"``: convert both fields
    to simplified or traditional Chinese with OpenCC. Repairs are counted on ``item.cleaning``
    and in the stats as ``cleaning/html_entities``, ``cleaning/mojibake``,
    ``cleaning/invisible_chars`` and ``cleaning/script``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.script = (crawler.settings.get("TEXT_SCRIPT") or "keep").lower()
        if self.script not in SCRIPTS:
            raise ValueError(f"TEXT_SCRIPT must be one of {', '.join(SCRIPTS)}, not {self.script!r}")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizeTextPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        changes: Counter[str] = Counter()
        adapter["title"] = normalize_title(adapter.get("title") or "", self.script, changes)
        text = normalize_text("\n".join(adapter.get("body") or []), self.script, changes)
        adapter["body"] = text.split("\n") if text else []
        record_cleaning(self.crawler, adapter, changes)
        return item
