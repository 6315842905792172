"""Appends every item to ``DATA_DIR/<spider>/<YYYY-MM-DD>.jsonl``, writes it through, then records it in the state."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
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
from crawler.state import commit_store
from crawler.state.jsonl import (
    append_line,
    checkpoint_name,
    file_digest,
    iter_lines,
    open_for_append,
    parse_line,
    quarantine_path,
    repair_tail,
)
from crawler.state.tracking import ArticleState, article_state

logger = logging.getLogger(__name__)

_OWN_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")


def jsonl_line(item: Any) -> str:
    record = item_record(item) if isinstance(item, ArticleItem) else ItemAdapter(item).asdict()
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class StoreJsonlPipeline:
    """The last pipeline: one UTF-8 JSON object a line, written through to the file, so a killed crawl loses
    nothing stored.

    Crash safety, in this order: the line is written (one ``write`` to the file, ``fsync`` with
    ``STORE_FSYNC``); only then does the state record the article as stored (URL keys, content
    hash, near-duplicate bands) and drop it from the pending URLs. The state's writes are
    batched (``crawler.state``): each batch commits in one transaction together with the file
    position it covers and a digest of the file up to there (length, first and last 4 KiB).
    A crash between the line and the commit leaves lines the state does not know: on open, the
    lines after the committed position are read again and registered.

    On open, for each of this worker's files: a torn last line (bytes after the last newline,
    or a last line that is not a valid item) is cut into ``<file>.quarantine`` (WARNING,
    ``store/torn_lines``); nothing before it is ever cut. When the digest no longer matches
    (the file was edited: lines inserted, deleted, reordered), every line is reconciled by
    content: the URL of each valid line is looked up and the unknown ones registered
    (``store/registered_on_open``, ``store/reconciled_files``). An invalid line elsewhere is
    kept in place and reported (WARNING with the file, line number and reason, on every run
    until it is gone; ``store/invalid_lines``); ``scrapy checkstore`` lists such lines and
    ``--quarantine`` moves them aside.

    A failed write (disk full, read-only or forbidden ``DATA_DIR``...) logs one ERROR naming the
    file and the reason (also in the stat ``store/error``), counts ``store/write_errors``, leaves
    no partial line, and closes the spider with the finish reason ``store_failed``; the items
    still in flight are not written and stay pending, for the next run. A failed commit of the
    state is handled the same way (``crawler.state``).

    Settings: ``DATA_DIR`` (default ``data``), ``STORE_ENABLED`` (default True), ``STORE_FSYNC``
    (fsync every line, for power loss; default False), ``STORE_WORKER_ID`` (adds ``.<worker>``
    to the file name so workers never share a file). The date is the crawl date in the spider's timezone.
    """

    offline = False  # scrapy extract never writes DATA_DIR

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
        self.readers: dict[Path, IO[bytes]] = {}  # to compute digests of what was written
        self.committed: dict[Path, int] = {}  # position last recorded per file
        self.state: ArticleState = article_state(crawler)
        self.write_failed = False
        self._hooked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreJsonlPipeline:
        return cls(crawler)

    def path_for(self, site: str) -> Path:
        tz = get_tz(getattr(self.crawler.spider, "timezone", "Asia/Shanghai"))
        day = datetime.now(tz).date().isoformat()
        suffix = f".{self.worker}" if self.worker else ""
        return self.data_dir / site / f"{day}{suffix}.jsonl"

    def checkpoint_name(self, path: Path) -> str:
        return checkpoint_name(path)

    # Opening: repair and reconcile --------------------------------------------------------

    def own_files(self, site: str) -> list[Path]:
        folder = self.data_dir / site
        if not folder.is_dir():
            return []
        if self.worker:
            return sorted(folder.glob(f"*.{self.worker}.jsonl"))
        return sorted(p for p in folder.glob("*.jsonl") if _OWN_FILE.match(p.name))

    def open_spider(self) -> None:
        files = self.own_files(self.crawler.spider.name)
        if not files:
            return  # nothing to reconcile: the state is opened by the first write (or a middleware)
        for path in files:
            try:
                self._hook()
                self.repair_torn_line(path)
                self.register_tail(path)
            except (OSError, sqlite3.Error) as exc:
                if not storage_problem(exc) and not isinstance(exc, OSError):
                    raise
                self.fail(path, exc)
                return
        commit_store(self.crawler)

    def _hook(self) -> None:
        if not self._hooked:
            self.state.store.before_commit(self.record_positions)
            self._hooked = True

    def repair_torn_line(self, path: Path) -> None:
        """Cut a torn or invalid last line into the file's quarantine (never anything before it)."""
        cut = repair_tail(path)
        if cut is None:
            return
        logger.warning("Repaired %s: cut its last line (%s, %d bytes, line %d) into %s", path, cut.reason,
                       len(cut.raw), cut.number, quarantine_path(path).name)
        self.crawler.stats.inc_value("store/torn_lines")

    def register_tail(self, path: Path) -> None:
        """Register the lines the state does not know: those after the committed position when the file
        is as it was then, else every line (an edited file is reconciled by the URL of each line)."""
        name = self.checkpoint_name(path)
        store = self.state.store
        offset = store.get_checkpoint(name)
        with path.open("rb") as handle:
            size = path.stat().st_size
            unchanged = 0 < offset <= size and store.get_checkpoint(name + "#digest") == file_digest(handle, offset)
            start = offset if unchanged else 0
            if not unchanged and size:
                logger.info("%s changed since the state last saw it (%d bytes registered, %d now): "
                            "reconciling every line by URL", path, offset, size)
                self.crawler.stats.inc_value("store/reconciled_files")
            registered, invalid = self._register_lines(path, handle, start)
            if unchanged:
                invalid += store.get_checkpoint(name + "#invalid")
            self.committed[path] = size
            store.set_checkpoint(name, size)
            store.set_checkpoint(name + "#digest", file_digest(handle, size))
            store.set_checkpoint(name + "#invalid", invalid)
        if registered:
            logger.info("Registered %d stored line(s) of %s that the state had missed", registered, path)
            self.crawler.stats.inc_value("store/registered_on_open", registered)
        if invalid:
            if unchanged and start:
                logger.warning("%s holds %d invalid line(s), kept in place: `scrapy checkstore` lists them, "
                               "`scrapy checkstore --quarantine` moves them aside", path, invalid)
            self.crawler.stats.inc_value("store/invalid_lines", invalid)

    def _register_lines(self, path: Path, handle: IO[bytes], start: int) -> tuple[int, int]:
        registered = invalid = 0
        store = self.state.store
        for number, (position, raw) in enumerate(iter_lines(handle, start), start=1):
            record, reason = parse_line(raw)
            if record is None:
                where = f"line {number}" if start == 0 else f"byte {position}"
                logger.warning("Invalid line in %s (%s): %s; kept in place, not registered (`scrapy checkstore "
                               "--quarantine` moves it aside)", path, where, reason)
                invalid += 1
                continue
            keys = self.state.keys_for_urls(record.get("url"), record.get("canonical_url"))
            if store.url_stored(keys) is None:
                self.state.mark_stored(record)
                registered += 1
        return registered, invalid

    # Writing ----------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        path = self.path_for(adapter.get("site") or self.crawler.spider.name)
        if self.write_failed:
            self.state.forget(item, remove_pending=False)  # stays pending: the next run fetches it again
            raise DropItem(f"{adapter.get('url')}: not stored, the store failed", log_level="DEBUG")
        try:
            handle = self.files.get(path) or self._open(path)
            append_line(handle, jsonl_line(item).encode("utf-8"), self.fsync)
        except OSError as exc:
            self.fail(path, exc)
            self.state.forget(item, remove_pending=False)  # not a verdict: the URL stays pending
            raise DropItem(f"{adapter.get('url')}: not stored ({exc.strerror or exc})", log_level="DEBUG") from None
        self.crawler.stats.inc_value("store/items")
        self.state.mark_stored(item)  # only now does the article count as stored (committed in a batch)
        commit_store(self.crawler, only_if_due=True)
        return item

    def _open(self, path: Path) -> IO[bytes]:
        self._hook()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.files[path] = open_for_append(path)
        self.readers[path] = path.open("rb")
        self.committed.setdefault(path, -1)
        return handle

    def record_positions(self) -> None:
        """``before_commit`` hook: the position of each file the batch covers, and its digest."""
        store = self.state.store
        for path, handle in self.files.items():
            position = handle.tell()
            if position == self.committed.get(path):
                continue
            name = self.checkpoint_name(path)
            store.set_checkpoint(name, position)
            store.set_checkpoint(name + "#digest", file_digest(self.readers[path], position))
            self.committed[path] = position

    def fail(self, path: Path | str, exc: Exception) -> None:
        """A write failed (full disk, read-only or unwritable DATA_DIR): one ERROR line, and the crawl stops
        with the finish reason ``store_failed``; the items still in flight stay pending for the next run."""
        self.crawler.stats.inc_value("store/write_errors")
        if self.write_failed:
            return
        self.write_failed = True
        handle = self.files.pop(path, None) if isinstance(path, Path) else None
        if handle is not None:
            handle.close()
            reader = self.readers.pop(path, None)  # type: ignore[call-overload]
            if reader is not None:
                reader.close()
        if self.crawler.stats.get_value("store/error"):
            return  # the state store failed first and said so
        reason = storage_problem(exc) or (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
        if reason.startswith(f"{path}: "):
            reason = reason[len(f"{path}: "):]
        logger.error("Cannot write %s: %s: stopping the crawl (nothing stored is lost; the articles not written "
                     "stay pending for the next run)", path, reason, extra={"spider": self.crawler.spider})
        self.crawler.stats.set_value("store/error", f"cannot write {path}: {reason}")
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="store_failed"))

    def close_spider(self) -> None:
        if self.files or self.write_failed:
            # what was written (before a failure too) is registered now, while the spider's monitors can still
            # see a failed commit; the band filter is saved for the next run
            commit_store(self.crawler, save=True)
        for handle in [*self.files.values(), *self.readers.values()]:
            handle.close()
        self.files.clear()
        self.readers.clear()
