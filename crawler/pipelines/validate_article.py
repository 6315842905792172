"""Drops items that are not articles after cleaning."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.pipelines import body_chars

logger = logging.getLogger(__name__)


class ValidateArticlePipeline:
    """Requires a body of at least ``VALIDATE_MIN_BODY_CHARS`` characters (as stored, one paragraph a line);
    a rejected item is counted as ``validate/dropped/<reason>``. Dates need no check: the extraction
    gives timezone-aware datetimes only.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.min_body_chars = crawler.settings.getint("VALIDATE_MIN_BODY_CHARS", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if body_chars(adapter.get("body") or []) < self.min_body_chars:
            self._drop(url, "short_body", f"body shorter than {self.min_body_chars} characters after cleaning")
        return item

    def _drop(self, url: str | None, reason: str, message: str) -> None:
        self.crawler.stats.inc_value(f"validate/dropped/{reason}")
        raise DropItem(f"{url}: {message}")
