"""Real `scrapy crawl` subprocesses against a local site: dedup in a crawl, incremental runs, -a full=1."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.crawlutil import read_jsonl, read_stats
from tests.localsite import crawl_command, serve_site

pytestmark = pytest.mark.crawl

COPIES = {"/article/copy-exact.html": (3, "exact"), "/article/copy-editor.html": (5, "editor"),
          "/article/copy-edited.html": (7, "edited")}


def crawl(base_url: str, data_dir: Path, *extra: str) -> dict[str, object]:
    proc = subprocess.run(crawl_command(base_url, data_dir, *extra), capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return read_stats(data_dir)


def article_ids(rows: list[dict[str, object]]) -> Counter[str]:
    return Counter(re.sub(r"^.*/article/|\.html.*$", "", str(r["url"])) for r in rows)


def test_dedup_and_incremental_runs(tmp_path: Path) -> None:
    site = serve_site(pages=120, per_list=40, copies=COPIES, tracking_links=True)
    try:
        stats = crawl(site.base_url, tmp_path)
        rows = read_jsonl(tmp_path)
        ids = article_ids(rows)
        assert set(ids) >= {str(i) for i in range(120) if i not in (3, 5, 7)}
        assert max(ids.values()) == 1 and len(rows) == 120  # each copy or its original, never both
        assert stats["dedup/exact"] + stats["dedup/near_duplicate"] == 3 and stats["store/items"] == 120
        with sqlite3.connect(tmp_path / "state.sqlite") as db:
            pair = {"copy-exact": "exact", "3": "exact", "copy-editor": "editor", "5": "editor",
                    "copy-edited": "edited", "7": "edited"}  # either the copy or its original is dropped
            kinds = {pair[re.sub(r"^.*/article/|\.html.*$", "", url)]: kind
                     for url, kind in db.execute("SELECT url, kind FROM duplicates")}
            assert db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0
        # the extractor may drop the editor line as furniture, making that copy exact
        assert kinds["exact"] == "exact" and kinds["edited"] == "near_duplicate"
        assert kinds["editor"] in ("exact", "near_duplicate")
        assert len(kinds) == 3

        site.pages = 150  # the portal published 30 articles
        stats = crawl(site.base_url, tmp_path)
        assert stats["incremental/skipped"] == 123  # 120 stored + 3 copies remembered as duplicates
        assert stats["store/items"] == 30 and stats.get("dedup/url") is None
        assert stats["pages/list"] == 4 + 1  # list pages are always fetched (index + 4 lists)
        rows = read_jsonl(tmp_path)
        assert len(rows) == 150 and max(article_ids(rows).values()) == 1

        stats = crawl(site.base_url, tmp_path, "-a", "full=1")
        assert stats.get("incremental/skipped") is None
        assert stats["dedup/url"] == 153 and stats.get("store/items") is None
        assert len(read_jsonl(tmp_path)) == 150
    finally:
        site.stop()
