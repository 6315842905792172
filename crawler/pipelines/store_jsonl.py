"""Appends every item to ``DATA_DIR/<spider>/<YYYY-MM-DD>.jsonl``, flushes it, then records it in the state."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.extensions.storage_guard import storage_problem
from crawler.extract.dates import get_tz
from crawler.items import ArticleItem, item_record
from crawler.state.tracking import ArticleState, article_state

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100  # items between two checkpoints of the registered JSONL offset
_OWN_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def jsonl_line(item: Any) -> str:
    record = item_record(item) if isinstance(item, ArticleItem) else ItemAdapter(item).asdict()
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class StoreJsonlPipeline:
    """The last pipeline: one UTF-8 JSON object a line, flushed as written, so a killed crawl loses nothing stored.

    Crash safety, in this order: the line is written and flushed, and only then the state
    records the article as stored (URL keys, content hash, near-duplicate bands) and drops it
    from the pending URLs. A crash between the two leaves a line the state does not know: on
    open, the lines written since the last checkpoint of each of this worker's files are read
    again and registered (cheap: at most one run's lines). A torn last line (a crash in the
    middle of a write) is cut off on open, with a log line and the stat ``store/torn_lines``.

    Settings: ``DATA_DIR`` (default ``data``), ``STORE_ENABLED`` (default True), ``STORE_FSYNC``
    (fsync every line, for power loss; default False), ``STORE_WORKER_ID`` (adds ``.<worker>``
    to the file name so workers never share a file). The date is the crawl date in the spider's timezone.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.enabled = settings.getbool("STORE_ENABLED", True)
        if not self.enabled:
            raise NotConfigured  # without a message: Scrapy logs none (scrapy extract, -s STORE_ENABLED=0)
        self.data_dir = Path(settings.get("DATA_DIR", "data"))
        self.fsync = settings.getbool("STORE_FSYNC", False)
        self.worker = settings.get("STORE_WORKER_ID") or ""
        self.files: dict[Path, IO[bytes]] = {}
        self.state: ArticleState = article_state(crawler)
        self.since_checkpoint = 0
        self.registered = True  # False once a state update failed: checkpoints stop advancing
        self.write_failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreJsonlPipeline:
        return cls(crawler)

    def path_for(self, site: str) -> Path:
        tz = get_tz(getattr(self.crawler.spider, "timezone", "Asia/Shanghai"))
        day = datetime.now(tz).date().isoformat()
        suffix = f".{self.worker}" if self.worker else ""
        return self.data_dir / site / f"{day}{suffix}.jsonl"

    def checkpoint_name(self, path: Path) -> str:
        return f"jsonl:{path.parent.name}/{path.name}"

    # Opening: repair and catch up ---------------------------------------------------------

    def own_files(self, site: str) -> list[Path]:
        folder = self.data_dir / site
        if not folder.is_dir():
            return []
        if self.worker:
            return sorted(folder.glob(f"*.{self.worker}.jsonl"))
        return sorted(p for p in folder.glob("*.jsonl") if _OWN_FILE.match(p.name))

    def open_spider(self) -> None:
        if not self.enabled:
            return
        for path in self.own_files(self.crawler.spider.name):
            self.repair_torn_line(path)
            self.register_tail(path)

    def repair_torn_line(self, path: Path) -> None:
        """Cut a last line that has no newline (the write was interrupted)."""
        size = path.stat().st_size
        if not size:
            return
        with path.open("rb+") as handle:
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return
            end = size
            keep = 0
            while end > 0:
                start = max(0, end - 65536)
                handle.seek(start)
                chunk = handle.read(end - start)
                pos = chunk.rfind(b"\n")
                if pos >= 0:
                    keep = start + pos + 1
                    break
                end = start
            handle.truncate(keep)
        logger.warning("Repaired %s: cut a torn last line of %d bytes", path, size - keep)
        self.crawler.stats.inc_value("store/torn_lines")

    def register_tail(self, path: Path) -> None:
        """Register in the state the lines written after the last checkpoint that it does not know."""
        name = self.checkpoint_name(path)
        store = self.state.store
        offset = store.get_checkpoint(name)
        size = path.stat().st_size
        if offset > size:
            offset = 0
        if offset == size:
            return
        registered = 0
        with path.open("rb+") as handle:
            handle.seek(offset)
            position = offset
            for raw in iter(handle.readline, b""):
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict) or not record.get("url"):
                        raise ValueError("not an item")
                except ValueError:
                    if position + len(raw) >= size:  # an invalid last line: cut it
                        handle.truncate(position)
                        logger.warning("Repaired %s: cut an invalid last line at byte %d", path, position)
                        self.crawler.stats.inc_value("store/torn_lines")
                        break
                    logger.warning("Invalid line at byte %d of %s: kept, not registered", position, path)
                    self.crawler.stats.inc_value("store/invalid_lines")
                    position += len(raw)
                    continue
                position += len(raw)
                keys = self.state.keys_for_urls(record.get("url"), record.get("canonical_url"))
                if store.url_stored(keys) is None:
                    self.state.mark_stored(record)
                    registered += 1
        store.set_checkpoint(name, position)
        if registered:
            logger.info("Registered %d stored line(s) of %s that the state had missed", registered, path)
            self.crawler.stats.inc_value("store/registered_on_open", registered)

    # Writing ----------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if not self.enabled:
            return item
        adapter = ItemAdapter(item)
        path = self.path_for(adapter.get("site") or self.crawler.spider.name)
        if self.write_failed:
            self.state.forget(item, remove_pending=False)  # stays pending: the next run fetches it again
            raise DropItem(f"{adapter.get('url')}: not stored, the store failed", log_level="DEBUG")
        try:
            handle = self.files.get(path)
            if handle is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = self.files[path] = path.open("ab")
            handle.write(jsonl_line(item).encode("utf-8"))
            handle.flush()
            if self.fsync:
                os.fsync(handle.fileno())
        except OSError as exc:
            self.fail(path, exc)
            self.state.forget(item, remove_pending=False)
            raise DropItem(f"{adapter.get('url')}: not stored ({exc.strerror or exc})", log_level="DEBUG") from None
        self.crawler.stats.inc_value("store/items")
        try:
            self.state.mark_stored(item)  # only now does the article count as stored
        except Exception as exc:
            self.registered = False  # the next run registers this line from the file
            if not storage_problem(exc):
                raise
            self.fail("the state store", exc)
            return item
        self.since_checkpoint += 1
        if self.since_checkpoint >= CHECKPOINT_EVERY:
            self.checkpoint()
        return item

    def fail(self, path: Path | str, exc: Exception) -> None:
        """A write failed (full disk, read-only or unwritable DATA_DIR): one ERROR line, and the crawl stops
        with the finish reason ``store_failed``; the items still in flight stay pending for the next run."""
        self.crawler.stats.inc_value("store/write_errors")
        if self.write_failed:
            return
        self.write_failed = True
        reason = storage_problem(exc) or str(exc)
        logger.error("Cannot write %s: %s: stopping the crawl", path, reason, extra={"spider": self.crawler.spider})
        self.crawler.stats.set_value("store/error", f"cannot write {path}: {reason}")
        handle = self.files.pop(path, None)
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass  # the bytes that did not fit: a torn last line, cut on the next open
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))

    def checkpoint(self) -> None:
        self.since_checkpoint = 0
        if not self.registered:
            return
        for path, handle in self.files.items():
            self.state.store.set_checkpoint(self.checkpoint_name(path), handle.tell())

    def close_spider(self) -> None:
        if self.files:
            self.checkpoint()
        for handle in self.files.values():
            handle.close()
        self.files.clear()
