"""Appends every item to ``DATA_DIR/<spider>/<YYYY-MM-DD>.jsonl`` and flushes each line."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.extract.dates import get_tz

logger = logging.getLogger(__name__)


def jsonl_line(item: Any) -> str:
    return json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, separators=(",", ":")) + "\n"


class StoreJsonlPipeline:
    """The last pipeline: one UTF-8 JSON object a line, flushed as written, so a killed crawl loses nothing stored.

    Settings: ``DATA_DIR`` (default ``data``), ``STORE_ENABLED`` (default True), ``STORE_FSYNC``
    (fsync every line, for power loss; default False), ``STORE_WORKER_ID`` (adds ``.<worker>``
    to the file name so workers never share a file). The date is the crawl date in the spider's timezone.
    """

    offline = False  # scrapy extract never writes DATA_DIR

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.enabled = settings.getbool("STORE_ENABLED", True)
        self.data_dir = Path(settings.get("DATA_DIR", "data"))
        self.fsync = settings.getbool("STORE_FSYNC", False)
        self.worker = settings.get("STORE_WORKER_ID") or ""
        self.files: dict[Path, IO[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreJsonlPipeline:
        return cls(crawler)

    def path_for(self, site: str) -> Path:
        tz = get_tz(getattr(self.crawler.spider, "timezone", "Asia/Shanghai"))
        day = datetime.now(tz).date().isoformat()
        suffix = f".{self.worker}" if self.worker else ""
        return self.data_dir / site / f"{day}{suffix}.jsonl"

    def process_item(self, item: Any) -> Any:
        if not self.enabled:
            return item
        adapter = ItemAdapter(item)
        path = self.path_for(adapter.get("site") or self.crawler.spider.name)
        handle = self.files.get(path)
        if handle is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.files[path] = path.open("a", encoding="utf-8")
        handle.write(jsonl_line(item))
        handle.flush()
        if self.fsync:
            import os

            os.fsync(handle.fileno())
        self.crawler.stats.inc_value("store/items")
        return item

    def close_spider(self) -> None:
        for handle in self.files.values():
            handle.close()
        self.files.clear()
