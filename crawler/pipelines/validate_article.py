"""Drops items that are not articles after cleaning and repairs what can be repaired."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extract.dates import get_tz, to_iso

logger = logging.getLogger(__name__)


def _parse(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class ValidateArticlePipeline:
    """Requires a body of at least ``VALIDATE_MIN_BODY_CHARS`` characters; dates must carry an offset.

    A naive date (which no extractor should produce) is read in the spider's ``timezone`` and counted
    as ``validate/naive_date``; a rejected item is counted as ``validate/dropped/<reason>``. An implausible
    ``published_at``/``updated_at`` (before ``VALIDATE_MIN_YEAR``, 1990, or more than
    ``VALIDATE_MAX_FUTURE_DAYS``, 1, after ``crawled_at``) moves to ``extra["implausible_published_at"]``
    (one log line, ``validate/implausible_date``).
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
            extra[f"implausible_{name}"] = adapter[name]
            adapter[name] = None
            moved.append(f"{name} {extra[f'implausible_{name}']}")
        if moved:
            logger.warning("Implausible date in %s: %s (crawled %s): moved to extra", adapter.get("url"),
                           ", ".join(moved), to_iso(crawled), extra={"spider": self.crawler.spider})
            self.crawler.stats.inc_value("validate/implausible_date")

    def _drop(self, url: str | None, reason: str, message: str) -> None:
        self.crawler.stats.inc_value(f"validate/dropped/{reason}")
        raise DropItem(f"{url}: {message}")
