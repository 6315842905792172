"""The state of one machine in one SQLite file (WAL): bounded memory, survives ``kill -9``.

Everything lives in indexed tables, nothing in Python memory: URL keys and content hashes
are stored as 64-bit integers (BLAKE2b of the key), near-duplicate bands as a
``(band, article)`` index, MinHash signatures as 512-byte blobs. The page cache is capped by
``cache_kib`` (default 64 MiB), so RAM stays flat however many articles are stored
(bench/bench_state.py measures it). One connection, used from the crawl's thread; every
write is one transaction, so a crash leaves each call either done or not done.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, url TEXT NOT NULL, signature BLOB, stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS url_keys (key INTEGER PRIMARY KEY, article INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS content (hash INTEGER PRIMARY KEY, article INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (band, article))
    WITHOUT ROWID;
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


class SQLiteStore(StateStore):
    """``StateStore`` in one SQLite file; ``path`` may be ``":memory:"`` for tests."""

    def __init__(self, path: str | Path, cache_kib: int = 65536) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
            self.conn.execute("PRAGMA temp_store=MEMORY")
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

    def _write(self, statements: Iterable[tuple[str, Iterable[tuple[object, ...]] | tuple[object, ...]]]) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                if isinstance(params, tuple):
                    cur.execute(sql, params)
                else:
                    cur.executemany(sql, params)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    # Stored articles --------------------------------------------------------------------

    def url_stored(self, url_keys: Iterable[str]) -> str | None:
        keys = [key64(k) for k in dict.fromkeys(url_keys)]
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
        row = self.conn.execute(
            "SELECT a.url FROM content c JOIN articles a ON a.id = c.article WHERE c.hash = ?",
            (key64(content_hash),)).fetchone()
        return str(row[0]) if row else None

    def near_candidates(self, band_keys: Iterable[int], limit: int = 50) -> dict[str, bytes]:
        keys = list(dict.fromkeys(band_keys))
        found: dict[str, bytes] = {}
        for chunk in _chunks(keys):
            rows = self.conn.execute(
                f"SELECT a.url, a.signature FROM articles a WHERE a.id IN "  # noqa: S608 - only '?' placeholders are formatted in
                f"(SELECT DISTINCT article FROM bands WHERE band IN ({','.join('?' * len(chunk))}) LIMIT ?)",
                [*chunk, limit]).fetchall()
            for url, signature in rows:
                found.setdefault(url, signature or b"")
            if len(found) >= limit:
                break
        return found

    def mark_stored(self, article: StoredArticle) -> None:
        keys = [key64(k) for k in dict.fromkeys(article.url_keys)]
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            existing = None
            for chunk in _chunks(keys):
                row = cur.execute(f"SELECT article FROM url_keys WHERE key IN ({','.join('?' * len(chunk))}) LIMIT 1",  # noqa: S608 - only '?' placeholders are formatted in
                                  chunk).fetchone()
                if row:
                    existing = row[0]
                    break
            if existing is None:
                cur.execute("INSERT INTO articles (site, url, signature, stored_at) VALUES (?, ?, ?, ?)",
                            (article.site, article.url, article.signature or None, _now()))
                article_id = cur.lastrowid
                cur.executemany("INSERT OR IGNORE INTO bands (band, article) VALUES (?, ?)",
                                [(band, article_id) for band in dict.fromkeys(article.band_keys)])
            else:
                article_id = existing
            cur.executemany("INSERT OR IGNORE INTO url_keys (key, article) VALUES (?, ?)",
                            [(k, article_id) for k in keys])
            if article.content_hash:
                cur.execute("INSERT OR IGNORE INTO content (hash, article) VALUES (?, ?)",
                            (key64(article.content_hash), article_id))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def stored_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # Duplicates -------------------------------------------------------------------------

    def record_duplicate(self, record: DuplicateRecord) -> None:
        self._write([(
            "INSERT OR REPLACE INTO duplicates (site, url, kind, duplicate_of, similarity, at) VALUES (?,?,?,?,?,?)",
            (record.site, record.url, record.kind, record.duplicate_of, record.similarity, record.at or _now()),
        )])

    def duplicates(self, site: str | None = None, limit: int | None = None) -> list[DuplicateRecord]:
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
            self._write([("INSERT OR IGNORE INTO pending (site, url) VALUES (?, ?)", rows)])

    def remove_pending(self, site: str, urls: Iterable[str]) -> None:
        rows = [(site, url) for url in dict.fromkeys(urls)]
        if rows:
            self._write([("DELETE FROM pending WHERE site = ? AND url = ?", rows)])

    def pending(self, site: str) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT url FROM pending WHERE site = ? ORDER BY id", (site,))]

    def resume_pending(self, site: str, max_attempts: int = 0) -> tuple[list[str], list[str]]:
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
        row = self.conn.execute("SELECT value FROM checkpoints WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def set_checkpoint(self, name: str, value: int) -> None:
        self._write([("INSERT OR REPLACE INTO checkpoints (name, value) VALUES (?, ?)", (name, int(value)))])

    # Learned boilerplate ----------------------------------------------------------------

    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        counts = dict.fromkeys(wanted, 0)
        for chunk in _chunks(wanted):
            rows = self.conn.execute(
                f"SELECT key, n FROM line_counts WHERE site = ? AND key IN ({','.join('?' * len(chunk))})",  # noqa: S608 - only '?' placeholders are formatted in
                [site, *chunk])
            counts.update({key: int(n) for key, n in rows})
        return counts

    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        unique = list(dict.fromkeys(keys))
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("INSERT OR IGNORE INTO line_articles (site, article) VALUES (?, ?)", (site, article_key))
            if cur.rowcount:
                cur.executemany(
                    "INSERT INTO line_counts (site, key, n) VALUES (?, ?, 1) "
                    "ON CONFLICT (site, key) DO UPDATE SET n = n + 1", [(site, k) for k in unique])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass
