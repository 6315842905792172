"""The state of one machine in one SQLite file (WAL): bounded memory, survives ``kill -9``.

Everything lives in indexed tables, nothing in Python memory: URL keys and content hashes
are stored as 64-bit integers (BLAKE2b of the key), near-duplicate bands as a
``(band, article)`` index, MinHash signatures as 512-byte blobs. The page cache is capped by
``cache_kib`` (default 64 MiB), so RAM stays flat however many articles are stored
(bench/bench_state.py measures it). One connection, used from the crawl's thread.

Writes are batched: each write is applied to a small in-memory overlay at once (so every
read sees it) and queued; ``flush()`` commits the queue in one transaction, in the order the
writes were made. A write commits the batch itself once ``batch_writes`` are queued; the
crawl also commits it when it is ``batch_seconds`` old (``crawler.state.get_store``). A
crash loses at most the uncommitted batch, never half of it: what it held is either
rebuilt on the next open (stored articles, from the JSONL after the checkpoint committed
with them) or found again (pending URLs, duplicates). ``batch_writes=1`` commits every
write at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle
from crawler.state.keyfilter import KeyFilter

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, url TEXT NOT NULL, signature BLOB, stored_at TEXT NOT NULL,
    bands BLOB
);
CREATE TABLE IF NOT EXISTS url_keys (key INTEGER PRIMARY KEY, article INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS content (hash INTEGER PRIMARY KEY, article INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (band, article))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS band_runs (run INTEGER NOT NULL, band INTEGER NOT NULL, article INTEGER NOT NULL,
    PRIMARY KEY (run, band, article)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, level INTEGER NOT NULL, articles INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 1, merging_into INTEGER, done_to INTEGER, step INTEGER);
CREATE TABLE IF NOT EXISTS duplicates (
    site TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL, duplicate_of TEXT NOT NULL,
    similarity REAL NOT NULL, at TEXT NOT NULL, PRIMARY KEY (site, url)
);
CREATE INDEX IF NOT EXISTS duplicates_at ON duplicates (at);
CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY, site TEXT NOT NULL, url TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, UNIQUE (site, url));
CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS line_articles (site TEXT NOT NULL, article TEXT NOT NULL, PRIMARY KEY (site, article))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS line_counts (site TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (site, key)) WITHOUT ROWID;
"""

_MAX_VARS = 500  # rows per IN (...) query, well under SQLite's variable limit
MERGE_SLICE_ROWS = 65536  # band keys moved by one step of a merge of runs
_MIN_KEY, _MAX_KEY = -(2**63), 2**63 - 1


class StateUnreadable(sqlite3.DatabaseError):
    """The state file is not a readable SQLite database; the message names it and how to rebuild it."""


def key64(key: str) -> int:
    """A string key as a signed 64-bit integer (collision odds at 10^7 keys: ~3e-6)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _chunks(values: list[int] | list[str]) -> Iterator[list]:  # type: ignore[type-arg]
    for i in range(0, len(values), _MAX_VARS):
        yield values[i:i + _MAX_VARS]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class _Overlay:
    """What the queued writes change, as the reads must see it before the commit."""

    urls: dict[str, str] = field(default_factory=dict)  # URL key -> article URL
    content: dict[str, str] = field(default_factory=dict)  # content hash -> article URL
    bands: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    signatures: dict[str, bytes] = field(default_factory=dict)
    checkpoints: dict[str, int] = field(default_factory=dict)
    line_articles: set[tuple[str, str]] = field(default_factory=set)
    line_counts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


class SQLiteStore(StateStore):
    """``StateStore`` in one SQLite file; ``path`` may be ``":memory:"`` for tests."""

    def __init__(self, path: str | Path, cache_kib: int = 65536, batch_writes: int = 500,
                 batch_seconds: float = 0.5, band_filter: bool = True, run_articles: int = 32768,
                 run_fanout: int = 8) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
            self.conn.execute("PRAGMA temp_store=MEMORY")
            self.conn.execute("PRAGMA journal_size_limit=67108864")  # a merge grows the WAL: give the disk back after
            self.conn.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc):
                raise  # a read-only or missing folder, not a damaged file
            raise StateUnreadable(f"{self.path} is damaged ({exc}). The JSONL files hold everything it is built "
                                  "from: rebuild it with `scrapy rebuildstate` or -s STATE_REBUILD=1") from None
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(pending)")}
        if "attempts" not in columns:  # a state file from before attempts were counted
            self.conn.execute("ALTER TABLE pending ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(articles)")}
        if "bands" not in columns:  # a state file from before the band filter
            self.conn.execute("ALTER TABLE articles ADD COLUMN bands BLOB")
        self.batch_writes = max(1, int(batch_writes))
        self.batch_seconds = float(batch_seconds)
        self._ops: list[tuple[str, Any]] = []
        self._since = 0.0  # monotonic time of the oldest queued write
        self._ov = _Overlay()
        self.on_flush_error: Callable[[BaseException], None] | None = None  # for the commits writes trigger
        self.failed: BaseException | None = None  # the last commit failed: writes stay queued
        self._flushing = False
        self._mine: set[int] = set()  # ids of the articles this store inserted since the last catch-up
        self.use_band_filter = band_filter
        self.run_articles = max(0, int(run_articles))  # articles a run of bands holds before it is closed (0: no runs)
        self.run_fanout = max(2, int(run_fanout))
        self._bands: KeyFilter | None = None  # loaded on first use (commands that only list need none)

    # Band filter --------------------------------------------------------------------------

    @property
    def bands(self) -> KeyFilter | None:
        """The filter of stored band keys (None when disabled)."""
        if self._bands is None and self.use_band_filter:
            self._bands = self._open_filter()
        return self._bands

    @property
    def filter_path(self) -> Path | None:
        return None if self.path == ":memory:" else Path(self.path + ".bands")

    def _token(self) -> bytes:
        row = self.conn.execute("SELECT value FROM checkpoints WHERE name = 'state/token'").fetchone()
        if row is None:
            value = int.from_bytes(os.urandom(8), "little") >> 1
            self.conn.execute("INSERT OR IGNORE INTO checkpoints (name, value) VALUES ('state/token', ?)", (value,))
            row = self.conn.execute("SELECT value FROM checkpoints WHERE name = 'state/token'").fetchone()
        return int(row[0]).to_bytes(8, "little")

    def _open_filter(self) -> KeyFilter:
        """The saved filter when it belongs to this file, brought up to date; else one built from the bands table."""
        saved = KeyFilter.load(self.filter_path, self._token()) if self.filter_path else None
        if saved is not None and self._catch_up(saved):
            return saved
        return self._build_filter()

    def _build_filter(self) -> KeyFilter:
        count = int(self.conn.execute("SELECT (SELECT COUNT(*) FROM bands) + (SELECT COUNT(*) FROM band_runs)"
                                      ).fetchone()[0])
        keys = KeyFilter(max(262_144, 2 * count))
        keys.covered = int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0])
        for table in ("bands", "band_runs"):
            cursor = self.conn.execute(f"SELECT band FROM {table}")  # noqa: S608 - a table name of ours
            while rows := cursor.fetchmany(262144):
                keys.add(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        return keys

    def _catch_up(self, keys: KeyFilter) -> bool:
        """Add the bands of articles stored since ``keys.covered`` (by this or another process); False when
        an article without its bands blob (written by an older version) makes a full rebuild necessary."""
        rows = self.conn.execute("SELECT id, bands, signature IS NOT NULL FROM articles WHERE id > ? ORDER BY id",
                                 (keys.covered,)).fetchall()
        for article_id, blob, signed in rows:
            if article_id not in self._mine:
                if blob is None and signed:
                    return False
                if blob:
                    keys.add(np.frombuffer(blob, dtype="<i8"))
            keys.covered = article_id
        self._mine.clear()
        return True

    def save_filter(self) -> None:
        """Save the band filter next to the state file (done on close), so the next open need not rebuild it.

        Only a cache: when it cannot be written (a full disk), the next open rebuilds it from the bands table.
        """
        if self._bands is None or self.filter_path is None or self._ops:
            return
        self._catch_up(self._bands)
        try:
            self._bands.save(self.filter_path, self._token())
        except OSError as exc:
            logger.warning("Could not save the band filter %s (%s): the next crawl rebuilds it", self.filter_path,
                           exc.strerror or exc)

    # Batching ---------------------------------------------------------------------------

    @property
    def unflushed(self) -> int:
        return len(self._ops)

    def flush_due(self) -> bool:
        return bool(self._ops) and (len(self._ops) >= self.batch_writes
                                    or time.monotonic() - self._since >= self.batch_seconds)

    def _queue(self, op: str, args: Any) -> None:
        if not self._ops:
            self._since = time.monotonic()
        self._ops.append((op, args))
        if len(self._ops) >= self.batch_writes and self.failed is None and not self._flushing:
            try:
                self.flush()
            except Exception as exc:
                if self.on_flush_error is None:
                    raise
                self.on_flush_error(exc)

    def flush(self) -> None:
        """Commit every queued write in one transaction (after the ``before_commit`` hooks)."""
        if not self._ops or self._flushing:
            return
        self._flushing = True
        try:
            self._run_hooks()
            self._commit()
        finally:
            self._flushing = False

    def _commit(self) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            self._apply(cur, self._ops)
            cur.execute("COMMIT")
        except BaseException as exc:
            self.failed = exc
            self._mine.clear()  # rolled back: those ids may be given to other articles
            if self.conn.in_transaction:
                try:
                    cur.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
        self.failed = None
        self._ops = []
        self._ov = _Overlay()
        if self.run_articles:
            self.merge_step()
        if self._bands is None:
            self._mine.clear()
        elif not self._catch_up(self._bands):
            self._bands = self._build_filter()

    def _apply(self, cur: sqlite3.Cursor, ops: list[tuple[str, Any]]) -> None:
        bands: list[tuple[int, int]] = []
        with_bands = 0
        for op, args in ops:
            if op == "mark":
                new = self._apply_mark(cur, args)
                bands.extend(new)
                with_bands += bool(new)
            elif op == "dup":
                record: DuplicateRecord = args
                cur.execute("INSERT OR REPLACE INTO duplicates (site, url, kind, duplicate_of, similarity, at) "
                            "VALUES (?,?,?,?,?,?)", (record.site, record.url, record.kind, record.duplicate_of,
                                                     record.similarity, record.at or _now()))
            elif op == "add_pending":
                cur.executemany("INSERT OR IGNORE INTO pending (site, url) VALUES (?, ?)", args)
            elif op == "remove_pending":
                cur.executemany("DELETE FROM pending WHERE site = ? AND url = ?", args)
            elif op == "checkpoint":
                cur.execute("INSERT OR REPLACE INTO checkpoints (name, value) VALUES (?, ?)", args)
            elif op == "lines":
                site, article_key, keys = args
                cur.execute("INSERT OR IGNORE INTO line_articles (site, article) VALUES (?, ?)", (site, article_key))
                if cur.rowcount:
                    cur.executemany("INSERT INTO line_counts (site, key, n) VALUES (?, ?, 1) "
                                    "ON CONFLICT (site, key) DO UPDATE SET n = n + 1", [(site, k) for k in keys])
        if bands:  # in key order: neighbouring keys share B-tree pages
            if self.run_articles:
                run = self._open_run(cur)
                cur.executemany("INSERT OR IGNORE INTO band_runs (run, band, article) VALUES (?, ?, ?)",
                                [(run, band, article) for band, article in sorted(bands)])
                cur.execute("UPDATE runs SET articles = articles + ?, open = (articles + ? < ?) WHERE id = ?",
                            (with_bands, with_bands, self.run_articles, run))
            else:
                cur.executemany("INSERT OR IGNORE INTO bands (band, article) VALUES (?, ?)", sorted(bands))

    def _apply_mark(self, cur: sqlite3.Cursor, article: StoredArticle) -> list[tuple[int, int]]:
        keys = [key64(k) for k in dict.fromkeys(article.url_keys)]
        existing = None
        for chunk in _chunks(keys):
            row = cur.execute(f"SELECT article FROM url_keys WHERE key IN ({','.join('?' * len(chunk))}) LIMIT 1",  # noqa: S608 - only '?' placeholders are formatted in
                              chunk).fetchone()
            if row:
                existing = row[0]
                break
        bands: list[tuple[int, int]] = []
        if existing is None:
            unique = list(dict.fromkeys(article.band_keys))
            cur.execute("INSERT INTO articles (site, url, signature, stored_at, bands) VALUES (?, ?, ?, ?, ?)",
                        (article.site, article.url, article.signature or None, _now(),
                         np.array(unique, dtype="<i8").tobytes() if unique else None))
            article_id = cur.lastrowid
            self._mine.add(article_id)  # type: ignore[arg-type]
            bands = [(band, article_id) for band in unique]  # type: ignore[misc]
        else:
            article_id = existing
        cur.executemany("INSERT OR IGNORE INTO url_keys (key, article) VALUES (?, ?)", [(k, article_id) for k in keys])
        if article.content_hash:
            cur.execute("INSERT OR IGNORE INTO content (hash, article) VALUES (?, ?)",
                        (key64(article.content_hash), article_id))
        return bands

    # Near-duplicate bands: runs, merged as they age ---------------------------------------

    @staticmethod
    def _open_run(cur: sqlite3.Cursor) -> int:
        row = cur.execute("SELECT id FROM runs WHERE open = 1 ORDER BY id DESC LIMIT 1").fetchone()
        if row:
            return int(row[0])
        cur.execute("INSERT INTO runs (level, articles, open) VALUES (0, 0, 1)")
        return int(cur.lastrowid)  # type: ignore[arg-type]

    def merge_step(self, max_level: int = 2) -> bool:
        """One short step of merging band runs: start a merge, or move one slice of keys; False when idle.

        New band keys go into the open run: a contiguous range of the ``(run, band, article)`` index small
        enough for the page cache, so a commit touches few pages of the file, where inserting random keys
        into one index of tens of millions of rows dirtied a page per key. A run is closed at
        ``run_articles`` articles; ``run_fanout`` closed runs of a level are rewritten as one run of the
        next level (levels up to ``max_level``), in key order, one slice of about ``MERGE_SLICE_ROWS``
        keys per step, each step its own transaction (a step follows each commit of the batch), so the
        crawl never waits long. A lookup visits every run, only for the keys the band filter lets
        through; during a merge a key is in its old run or in the new one, never lost.
        """
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            moved = self._merge_step(cur, max_level)
            cur.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            raise
        return moved

    def _merge_step(self, cur: sqlite3.Cursor, max_level: int) -> bool:
        row = cur.execute("SELECT id, done_to, step FROM runs WHERE done_to IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        if row is None:  # no merge under way: start one if a level has enough closed runs
            for level in range(max_level):
                ids = [r[0] for r in cur.execute(
                    "SELECT id FROM runs WHERE open = 0 AND level = ? AND merging_into IS NULL AND done_to IS NULL "
                    "ORDER BY id LIMIT ?", (level, self.run_fanout))]
                if len(ids) == self.run_fanout:
                    break
            else:
                return False
            marks = ",".join("?" * len(ids))
            (articles,) = cur.execute(f"SELECT SUM(articles) FROM runs WHERE id IN ({marks})", ids).fetchone()  # noqa: S608 - only '?' placeholders are formatted in
            slices = max(1, -(-int(articles) * 32 // MERGE_SLICE_ROWS))
            cur.execute("INSERT INTO runs (level, articles, open, done_to, step) VALUES (?, ?, 0, ?, ?)",
                        (level + 1, articles, _MIN_KEY, min(_MAX_KEY, -(-(2**64) // slices))))
            cur.execute(f"UPDATE runs SET merging_into = ? WHERE id IN ({marks})", (cur.lastrowid, *ids))  # noqa: S608 - only '?' placeholders are formatted in
            return True
        target, low, step = row
        ids = [r[0] for r in cur.execute("SELECT id FROM runs WHERE merging_into = ?", (target,))]
        high = low + step
        last = high > _MAX_KEY
        bound = "" if last else " AND band < ?"
        extra = () if last else (high,)
        part = f"SELECT band, article FROM band_runs WHERE run = ? AND band >= ?{bound}"  # noqa: S608 - '?' only
        parts = " UNION ALL ".join(part for _ in ids)
        cur.execute(f"INSERT INTO band_runs (run, band, article) SELECT ?, band, article FROM ({parts}) "  # noqa: S608 - only '?' placeholders are formatted in
                    "ORDER BY band, article", (target, *[v for i in ids for v in (i, low, *extra)]))
        marks = ",".join("?" * len(ids))
        cur.execute(f"DELETE FROM band_runs WHERE run IN ({marks}) AND band >= ?{bound}", (*ids, low, *extra))  # noqa: S608 - only '?' placeholders are formatted in
        if last:
            cur.execute(f"DELETE FROM runs WHERE id IN ({marks})", ids)  # noqa: S608 - only '?' placeholders are formatted in
            cur.execute("UPDATE runs SET done_to = NULL, step = NULL WHERE id = ?", (target,))
        else:
            cur.execute("UPDATE runs SET done_to = ? WHERE id = ?", (high, target))
        return True

    def merge_runs(self, max_level: int = 2) -> None:
        """Every merge that is due, to the end (tests and maintenance; a crawl merges one step at a time)."""
        while self.merge_step(max_level):
            pass

    # Stored articles --------------------------------------------------------------------

    def url_stored(self, url_keys: Iterable[str]) -> str | None:
        wanted = list(dict.fromkeys(url_keys))
        queued = self._ov.urls
        if queued:
            hit = next((queued[k] for k in wanted if k in queued), None)
            if hit is not None:
                return hit
        keys = [key64(k) for k in wanted]
        for chunk in _chunks(keys):
            row = self.conn.execute(
                f"SELECT a.url FROM url_keys k JOIN articles a ON a.id = k.article "  # noqa: S608 - only '?' placeholders are formatted in
                f"WHERE k.key IN ({','.join('?' * len(chunk))}) LIMIT 1", chunk).fetchone()
            if row:
                return str(row[0])
        return None

    def content_stored(self, content_hash: str) -> str | None:
        if not content_hash:
            return None
        queued = self._ov.content.get(content_hash)
        if queued is not None:
            return queued
        row = self.conn.execute(
            "SELECT a.url FROM content c JOIN articles a ON a.id = c.article WHERE c.hash = ?",
            (key64(content_hash),)).fetchone()
        return str(row[0]) if row else None

    def near_candidates(self, band_keys: Iterable[int], limit: int = 50) -> dict[str, bytes]:
        keys = list(dict.fromkeys(band_keys))
        found: dict[str, bytes] = {}
        ov = self._ov
        if ov.signatures:
            for key in keys:
                for url in ov.bands.get(key, ()):
                    found.setdefault(url, ov.signatures.get(url, b""))
            if len(found) >= limit:
                return dict(list(found.items())[:limit])
        if self.bands is not None and keys:
            keys = [k for k, maybe in zip(keys, self.bands.may_contain(keys), strict=True) if maybe]
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT a.url, a.signature FROM articles a WHERE a.id IN "  # noqa: S608 - only '?' placeholders are formatted in
                f"(SELECT article FROM bands WHERE band IN ({marks}) UNION SELECT article FROM band_runs "
                f"WHERE run IN (SELECT id FROM runs) AND band IN ({marks}) LIMIT ?)",
                [*chunk, *chunk, limit]).fetchall()
            for url, signature in rows:
                found.setdefault(url, signature or b"")
            if len(found) >= limit:
                break
        return found

    def mark_stored(self, article: StoredArticle) -> None:
        ov = self._ov
        target = next((ov.urls[k] for k in article.url_keys if k in ov.urls), None)
        if target is None:  # a new article as far as the queue knows (the commit checks the file)
            target = article.url
            if article.url not in ov.signatures:
                ov.signatures[article.url] = article.signature
                for band in dict.fromkeys(article.band_keys):
                    ov.bands[band].append(article.url)
                if self.bands is not None and article.band_keys:
                    self.bands.add(article.band_keys)  # a failed commit leaves only false positives
        for key in article.url_keys:
            ov.urls.setdefault(key, target)
        if article.content_hash:
            ov.content.setdefault(article.content_hash, target)
        self._queue("mark", article)

    def stored_count(self) -> int:
        self.flush()
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # Duplicates -------------------------------------------------------------------------

    def record_duplicate(self, record: DuplicateRecord) -> None:
        self._queue("dup", record)

    def duplicates(self, site: str | None = None, limit: int | None = None) -> list[DuplicateRecord]:
        self.flush()
        sql = "SELECT site, url, kind, duplicate_of, similarity, at FROM duplicates"
        params: list[object] = []
        if site is not None:
            sql += " WHERE site = ?"
            params.append(site)
        sql += " ORDER BY at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [DuplicateRecord(*row) for row in self.conn.execute(sql, params)]

    # Pending ----------------------------------------------------------------------------

    def add_pending(self, site: str, urls: Iterable[str]) -> None:
        rows = [(site, url) for url in dict.fromkeys(urls)]
        if rows:
            self._queue("add_pending", rows)

    def remove_pending(self, site: str, urls: Iterable[str]) -> None:
        rows = [(site, url) for url in dict.fromkeys(urls)]
        if rows:
            self._queue("remove_pending", rows)

    def pending(self, site: str) -> list[str]:
        self.flush()
        return [row[0] for row in self.conn.execute("SELECT url FROM pending WHERE site = ? ORDER BY id", (site,))]

    def resume_pending(self, site: str, max_attempts: int = 0) -> tuple[list[str], list[str]]:
        self.flush()
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            dropped = []
            if max_attempts > 0:
                dropped = [r[0] for r in cur.execute(
                    "SELECT url FROM pending WHERE site = ? AND attempts >= ? ORDER BY id", (site, max_attempts))]
                cur.execute("DELETE FROM pending WHERE site = ? AND attempts >= ?", (site, max_attempts))
            cur.execute("UPDATE pending SET attempts = attempts + 1 WHERE site = ?", (site,))
            kept = [r[0] for r in cur.execute("SELECT url FROM pending WHERE site = ? ORDER BY id", (site,))]
            cur.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            raise
        return kept, dropped

    # Checkpoints ------------------------------------------------------------------------

    def get_checkpoint(self, name: str) -> int:
        queued = self._ov.checkpoints.get(name)
        if queued is not None:
            return queued
        row = self.conn.execute("SELECT value FROM checkpoints WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def set_checkpoint(self, name: str, value: int) -> None:
        self._ov.checkpoints[name] = int(value)
        self._queue("checkpoint", (name, int(value)))

    # Learned boilerplate ----------------------------------------------------------------

    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        counts = dict.fromkeys(wanted, 0)
        for chunk in _chunks(wanted):
            rows = self.conn.execute(
                f"SELECT key, n FROM line_counts WHERE site = ? AND key IN ({','.join('?' * len(chunk))})",  # noqa: S608 - only '?' placeholders are formatted in
                [site, *chunk])
            counts.update({key: int(n) for key, n in rows})
        queued = self._ov.line_counts
        if queued:
            for key in wanted:
                counts[key] += queued.get((site, key), 0)
        return counts

    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        ov = self._ov
        if (site, article_key) in ov.line_articles or self.conn.execute(
                "SELECT 1 FROM line_articles WHERE site = ? AND article = ?", (site, article_key)).fetchone():
            return  # this article's lines are counted already
        unique = list(dict.fromkeys(keys))
        ov.line_articles.add((site, article_key))
        for key in unique:
            ov.line_counts[(site, key)] += 1
        self._queue("lines", (site, article_key, unique))

    def close(self) -> None:
        try:
            self.flush()
            self.save_filter()
        finally:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
