"""Writes a crawl's stats to a JSON file when the spider closes (for tests, cron reports and monitoring)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


class StatsFileExtension:
    """Setting ``STATS_FILE``: a path (``{spider}`` is replaced by the spider name). The file holds
    ``{"spider": ..., "finish_reason": ..., "stats": {...}}``, written atomically (temp file + rename).
    Not configured when ``STATS_FILE`` is empty.
    """

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFileExtension:
        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured  # STATS_FILE is not set (no message: Scrapy would log a warning)
        ext = cls(crawler, path)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = {k: _plain(v) for k, v in sorted((self.crawler.stats.get_stats() or {}).items())}
        stats.setdefault("finish_reason", reason)
        path = Path(self.path.replace("{spider}", spider.name))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"spider": spider.name, "finish_reason": reason, "stats": stats},
                                  ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
