"""Drops items that are not articles after cleaning, and sets implausible dates aside."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import iso
from crawler.pipelines import body_chars

logger = logging.getLogger(__name__)


def _parse(value: object) -> datetime | None:
    """An aware datetime as the extraction gives it, or the ISO text of an item built elsewhere."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class ValidateArticlePipeline:
    """Requires a body of at least ``VALIDATE_MIN_BODY_CHARS`` characters (as stored, one paragraph a line);
    a rejected item is counted as ``validate/dropped/<reason>``. The extraction gives timezone-aware
    datetimes only, parsed once: no date is repaired here. An implausible ``published_at``/``updated_at``
    (before ``VALIDATE_MIN_YEAR``, 1990, or more than ``VALIDATE_MAX_FUTURE_DAYS``, 1, after ``crawled_at``)
    moves to ``extra["implausible_published_at"]`` as ISO text (one log line, ``validate/implausible_date``).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.min_body_chars = crawler.settings.getint("VALIDATE_MIN_BODY_CHARS", 20)
        self.min_year = crawler.settings.getint("VALIDATE_MIN_YEAR", 1990)
        self.max_future_days = crawler.settings.getfloat("VALIDATE_MAX_FUTURE_DAYS", 1.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if body_chars(adapter.get("body") or []) < self.min_body_chars:
            self._drop(url, "short_body", f"body shorter than {self.min_body_chars} characters after cleaning")
        self.check_plausible(adapter)
        return item

    def check_plausible(self, adapter: ItemAdapter) -> None:
        """Move a publication or update date before ``VALIDATE_MIN_YEAR`` or more than ``VALIDATE_MAX_FUTURE_DAYS``
        after the crawl time out of its field, into ``extra["implausible_<field>"]``: a consumer who sorts or
        filters on ``published_at`` never meets 2099 or 1970, and the value is still there to inspect."""
        crawled = _parse(adapter.get("crawled_at")) or datetime.now(UTC)
        latest = crawled + timedelta(days=self.max_future_days)
        moved = []
        for name in ("published_at", "updated_at"):
            dt = _parse(adapter.get(name))
            if dt is None or dt.tzinfo is None or (self.min_year <= dt.year and dt <= latest):
                continue
            extra = adapter.get("extra")
            if extra is None:
                extra = adapter["extra"] = {}
            extra[f"implausible_{name}"] = iso(dt)
            adapter[name] = None
            moved.append(f"{name} {extra[f'implausible_{name}']}")
        if moved:
            logger.warning("Implausible date in %s: %s (crawled %s): moved to extra", adapter.get("url"),
                           ", ".join(moved), iso(crawled), extra={"spider": self.crawler.spider})
            self.crawler.stats.inc_value("validate/implausible_date")

    def _drop(self, url: str | None, reason: str, message: str) -> None:
        self.crawler.stats.inc_value(f"validate/dropped/{reason}")
        raise DropItem(f"{url}: {message}")
