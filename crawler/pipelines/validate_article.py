"""Drops items that are not articles after cleaning and repairs what can be repaired."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extract.dates import get_tz, to_iso

logger = logging.getLogger(__name__)


class ValidateArticlePipeline:
    """Requires a body of at least ``VALIDATE_MIN_BODY_CHARS`` characters; dates must carry an offset.

    A naive date (which no extractor should produce) is read in the spider's ``timezone`` and counted
    as ``validate/naive_date``; a rejected item is counted as ``validate/dropped/<reason>``.
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
        if len(adapter.get("body") or "") < self.min_body_chars:
            self._drop(url, "short_body", f"body shorter than {self.min_body_chars} characters after cleaning")
        tz = get_tz(getattr(self.crawler.spider, "timezone", "Asia/Shanghai"))
        for name in ("published_at", "updated_at", "crawled_at"):
            value = adapter.get(name)
            if not value:
                continue
            try:
                dt = datetime.fromisoformat(value)
            except ValueError:
                logger.warning("Unreadable %s %r in %s: removed", name, value, url)
                self.crawler.stats.inc_value("validate/bad_date")
                adapter[name] = None
                continue
            if dt.tzinfo is None:
                self.crawler.stats.inc_value("validate/naive_date")
                adapter[name] = to_iso(dt.replace(tzinfo=tz))
        return item

    def _drop(self, url: str | None, reason: str, message: str) -> None:
        self.crawler.stats.inc_value(f"validate/dropped/{reason}")
        raise DropItem(f"{url}: {message}")
