"""Checking the state file before a crawl, and rebuilding it from the JSONL store.

Every stored line holds what the state remembers of an article: its URLs (URL keys), its body
(content hash, MinHash signature and near-duplicate bands). ``rebuild_state`` moves the old SQLite
file aside (``state.sqlite.broken-<UTC time>``) and registers every valid line of
``DATA_DIR/<spider>/*.jsonl`` in a new one. What the lines do not hold is lost: the records of
dropped duplicates (``scrapy duplicates``), learned boilerplate counts (learned again after
``BOILERPLATE_MIN_ARTICLES`` articles) and pending URLs (found again on the list pages).

Used by ``scrapy crawl``/``crawlall`` with ``-s STATE_REBUILD=1`` and by ``scrapy rebuildstate``.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from crawler.state.jsonl import record_registered
from crawler.state.sqlite import StateUnreadable

logger = logging.getLogger(__name__)


def state_path(settings: BaseSettings) -> Path | None:
    """The SQLite state file of these settings (None when the state is off or in Redis)."""
    if not settings.getbool("STATE_ENABLED", True) or settings.get("REDIS_URL"):
        return None
    return Path(settings.get("STATE_PATH") or Path(settings.get("DATA_DIR", "data")) / "state.sqlite")


def check_state(settings: BaseSettings) -> None:
    """Raise ``StateUnreadable`` (one line) when the SQLite state file exists but is not a readable database."""
    path = state_path(settings)
    if path is None or not path.exists():
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            (status,) = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.OperationalError as exc:
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            # SQLite opens a WAL database only where it can write its -shm/-wal files beside it
            raise StateUnreadable(
                f"cannot use the state {path}: the file or its folder is not writable ({exc})") from exc
        status = str(exc)
    except sqlite3.DatabaseError as exc:
        status = str(exc)
    if status != "ok":
        raise StateUnreadable(
            f"{path} is damaged ({status}). The JSONL files hold everything it is built from: rebuild it with "
            f"`scrapy rebuildstate` or add -s STATE_REBUILD=1 to this command (the damaged file is kept aside)")


@dataclass
class RebuildResult:
    articles: int
    lines: int
    invalid: int
    moved_to: Path | None


def _lines(data_dir: Path) -> Iterator[tuple[str, Path, dict[str, Any] | None]]:
    for path in sorted(data_dir.glob("*/*.jsonl")):
        with path.open("rb") as handle:
            for raw in handle:
                try:
                    record = json.loads(raw)
                except ValueError:
                    record = None
                yield path.parent.name, path, record if isinstance(record, dict) and record.get("url") else None


def rebuild_state(settings: BaseSettings) -> RebuildResult:
    """Register every valid JSONL line of ``DATA_DIR`` in a new state (see the module docstring)."""
    # imported here: every scrapy command imports this module's command, and datasketch takes 0.5 s to import
    from crawler.state import open_store
    from crawler.state.base import StoredArticle
    from crawler.state.minhash import Fingerprinter, hash_normalised, normalise_body
    from crawler.urls import url_keys

    path = state_path(settings)
    moved = None
    if path is not None and path.exists():
        moved = path.with_name(f"{path.name}.broken-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        path.rename(moved)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.rename(moved.with_name(moved.name + suffix))
    fingerprinter = Fingerprinter(
        shingle=settings.getint("DEDUP_SHINGLE", 4), num_perm=settings.getint("DEDUP_NUM_PERM", 128),
        bands=settings.getint("DEDUP_BANDS", 32), threshold=settings.getfloat("DEDUP_NEAR_THRESHOLD", 0.5))
    min_chars = settings.getint("DEDUP_MIN_CHARS", 50)
    loader = get_spider_loader(settings)
    mobile: dict[str, dict[str, str]] = {}
    store = open_store(settings)
    lines = invalid = 0
    sizes: dict[Path, int] = {}
    invalid_in: dict[Path, int] = {}
    try:
        for site, file, record in _lines(Path(settings.get("DATA_DIR", "data"))):
            lines += 1
            sizes[file] = file.stat().st_size
            if record is None:
                invalid += 1
                invalid_in[file] = invalid_in.get(file, 0) + 1
                continue
            if site not in mobile:
                try:
                    mobile[site] = dict(getattr(loader.load(site), "mobile_hosts", None) or {})
                except KeyError:
                    mobile[site] = {}
            normalised = normalise_body(str(record.get("body") or ""))
            if len(normalised) >= min_chars:
                fp = fingerprinter.fingerprint_normalised(normalised)
                content, signature, bands = fp.content_hash, fp.signature, fp.band_keys
            else:
                content, signature, bands = (hash_normalised(normalised) if normalised else ""), b"", ()
            store.mark_stored(StoredArticle(
                site=str(record.get("site") or site), url=str(record["url"]),
                url_keys=url_keys((record.get("url"), record.get("canonical_url")), mobile[site]),
                content_hash=content, band_keys=bands, signature=signature))
        for file, size in sizes.items():
            record_registered(store, file, size, invalid_in.get(file, 0))
        articles = store.stored_count()
    finally:
        store.close()
    logger.info("Rebuilt the state from %d JSONL line(s) (%d invalid): %d article(s)%s", lines, invalid, articles,
                f"; the old file is {moved}" if moved else "")
    return RebuildResult(articles, lines, invalid, moved)
