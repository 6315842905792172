"""SQLiteStore against a real file: every interface method, idempotence, and persistence across reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.state import open_store
from crawler.state.base import DuplicateRecord, StoredArticle
from crawler.state.memory import MemoryStore
from crawler.state.minhash import Fingerprinter
from crawler.state.sqlite import SQLiteStore
from tests.dedup_texts import WIRE_STORY, changed_characters


def _article(url: str, text: str, site: str = "s") -> StoredArticle:
    fp = Fingerprinter().fingerprint(text)
    return StoredArticle(site=site, url=url, url_keys=(url, url + "#alt"), content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    s = SQLiteStore(tmp_path / "state.sqlite") if request.param == "sqlite" else MemoryStore()
    yield s
    s.close()


def test_stored_articles(store) -> None:  # type: ignore[no-untyped-def]
    art = _article("http://a/1", WIRE_STORY)
    assert store.url_stored(["http://a/1"]) is None
    store.mark_stored(art)
    store.mark_stored(art)  # idempotent
    assert store.stored_count() == 1
    assert store.url_stored(["x", "http://a/1#alt"]) == "http://a/1"
    assert store.content_stored(art.content_hash) == "http://a/1"
    assert store.content_stored("nope") is None
    near = Fingerprinter().fingerprint(changed_characters(WIRE_STORY, 0.05))
    assert store.near_candidates(near.band_keys) == {"http://a/1": art.signature}
    assert store.near_candidates([1, 2, 3]) == {}


def test_duplicates_pending_checkpoints_lines(store) -> None:  # type: ignore[no-untyped-def]
    store.record_duplicate(DuplicateRecord("s", "http://b/1", "url", "http://a/1", at="2026-01-01T00:00:00+00:00"))
    store.record_duplicate(DuplicateRecord("t", "http://b/2", "exact", "http://a/1", at="2026-01-02T00:00:00+00:00"))
    store.record_duplicate(DuplicateRecord("s", "http://b/1", "near_duplicate", "http://a/2", 0.7,
                                           at="2026-01-03T00:00:00+00:00"))
    assert [(d.url, d.kind, d.duplicate_of) for d in store.duplicates()] == [
        ("http://b/1", "near_duplicate", "http://a/2"), ("http://b/2", "exact", "http://a/1")]
    assert [d.url for d in store.duplicates(site="t")] == ["http://b/2"]
    assert len(store.duplicates(limit=1)) == 1

    store.add_pending("s", ["u1", "u2", "u1"])
    store.add_pending("t", ["u9"])
    store.add_pending("s", ["u3"])
    store.remove_pending("s", ["u2", "never"])
    assert store.pending("s") == ["u1", "u3"]
    assert store.pending("t") == ["u9"]

    assert store.get_checkpoint("x") == 0
    store.set_checkpoint("x", 42)
    assert store.get_checkpoint("x") == 42

    store.record_lines("s", "art1", ["l1", "l2"])
    store.record_lines("s", "art1", ["l1", "l2"])
    store.record_lines("s", "art2", ["l1"])
    assert store.line_counts("s", ["l1", "l2", "l3"]) == {"l1": 2, "l2": 1, "l3": 0}
    assert store.line_counts("other", ["l1"]) == {"l1": 0}


def test_sqlite_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = SQLiteStore(path)
    art = _article("http://a/1", WIRE_STORY)
    store.mark_stored(art)
    store.add_pending("s", ["http://a/2"])
    store.close()
    again = SQLiteStore(path)
    assert again.url_stored(["http://a/1"]) == "http://a/1"
    assert again.pending("s") == ["http://a/2"]
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_open_store_picks_backend(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    assert isinstance(open_store(Settings({"STATE_ENABLED": False})), MemoryStore)
    store = open_store(Settings({"DATA_DIR": str(tmp_path)}))
    assert isinstance(store, SQLiteStore) and store.path == str(tmp_path / "state.sqlite")
    store.close()


def test_resume_pending_counts_attempts_and_drops_stale(store) -> None:  # type: ignore[no-untyped-def]
    store.add_pending("s", ["u1", "u2"])
    assert store.resume_pending("s", 2) == (["u1", "u2"], [])
    store.remove_pending("s", ["u2"])
    store.add_pending("s", ["u2", "u3"])  # u2 found again: a new URL, no attempts
    assert store.resume_pending("s", 2) == (["u1", "u2", "u3"], [])
    assert store.resume_pending("s", 2) == (["u2", "u3"], ["u1"])  # u1 resumed in two runs, still pending
    assert store.pending("s") == ["u2", "u3"]
    assert store.resume_pending("s", 0) == (["u2", "u3"], [])  # 0: never dropped
    assert store.resume_pending("t", 2) == ([], [])


def test_a_state_file_from_before_attempts_opens_and_keeps_its_pending_urls(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "state.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE pending (id INTEGER PRIMARY KEY, site TEXT NOT NULL, url TEXT NOT NULL, "
                   "UNIQUE (site, url))")
        db.execute("INSERT INTO pending (site, url) VALUES ('s', 'u1')")
    store = SQLiteStore(path)
    assert store.resume_pending("s", 1) == (["u1"], [])
    assert store.resume_pending("s", 1) == ([], ["u1"])
    store.close()
