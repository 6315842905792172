"""The JSONL store as a person edits it: inserted, deleted and reordered lines lose nothing; only a torn end is cut.

Unit tests drive StoreJsonlPipeline on a real SQLite state; crawl tests run `scrapy crawl` subprocesses
against the local site; `scrapy checkstore` runs as a user runs it.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.pipelines.store_jsonl import StoreJsonlPipeline
from crawler.state import get_store
from crawler.state.jsonl import invalid_lines, quarantine, repair_tail
from crawler.state.sqlite import SQLiteStore
from tests.crawlutil import ROOT, read_stats
from tests.localsite import article_body, crawl_command, serve_site

BAD_LINE = b'{"url": "http://hand.example/typo", "title": "half an edit\n'


class NewsSpider(Spider):
    name = "news"
    full = False


def make_crawler(data_dir: Path) -> Crawler:
    crawler = get_crawler(NewsSpider, {"DATA_DIR": str(data_dir)})
    crawler.spider = crawler._create_spider()
    return crawler


def store_items(data_dir: Path, urls: list[str]) -> tuple[Path, Crawler]:
    """A crawl's store pipeline writing one item per URL; returns the JSONL path and the crawler."""
    crawler = make_crawler(data_dir)
    pipeline = StoreJsonlPipeline(crawler)
    pipeline.open_spider()
    for n, url in enumerate(urls):
        pipeline.process_item(ArticleItem(url=url, site="news", title=f"标题{n}",
                                           body=article_body(n + 1000).split("\n")))
    pipeline.close_spider()
    get_store(crawler).close()
    return next((data_dir / "news").glob("*.jsonl")), crawler


def reopen(data_dir: Path) -> dict[str, Any]:
    """Open the store pipeline once more (what the next crawl does first); its stats."""
    crawler = make_crawler(data_dir)
    pipeline = StoreJsonlPipeline(crawler)
    pipeline.open_spider()
    pipeline.close_spider()
    get_store(crawler).close()
    return dict(crawler.stats.get_stats())


def stored_urls(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "state.sqlite") as db:
        return {row[0] for row in db.execute("SELECT url FROM articles")}


def valid_urls(path: Path) -> list[str]:
    out = []
    for line in path.read_bytes().splitlines():
        try:
            out.append(json.loads(line)["url"])
        except ValueError:
            pass
    return out


URLS = [f"https://news.example.com/a/{i}.html" for i in range(40)]


@pytest.mark.parametrize("edit", ["insert_invalid", "insert_valid", "delete", "reorder", "all"])
def test_hand_edits_lose_no_line_and_register_what_is_new(tmp_path: Path, edit: str) -> None:
    path, _ = store_items(tmp_path, URLS)
    lines = path.read_bytes().splitlines(keepends=True)
    pasted = json.dumps({"url": "https://news.example.com/pasted.html", "site": "news", "body": article_body(7)},
                        ensure_ascii=False).encode() + b"\n"
    rng = random.Random(edit)
    if edit in ("insert_invalid", "all"):
        lines.insert(17, BAD_LINE)
    if edit in ("insert_valid", "all"):
        lines.insert(5, pasted)
    if edit in ("delete", "all"):
        del lines[30]
    if edit in ("reorder", "all"):
        rng.shuffle(lines)
        if lines[-1] == BAD_LINE:  # an invalid *last* line is cut by design: keep this one in the middle
            lines.insert(0, lines.pop())
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()

    stats = reopen(tmp_path)
    assert path.read_bytes() == before  # nothing cut, nothing rewritten
    assert stats.get("store/torn_lines") is None
    assert stats["store/reconciled_files"] == 1
    if edit == "insert_invalid" or edit == "all":
        assert stats["store/invalid_lines"] == 1
    if edit in ("insert_valid", "all"):
        assert stats["store/registered_on_open"] == 1
        assert "https://news.example.com/pasted.html" in stored_urls(tmp_path)
    assert set(valid_urls(path)) <= stored_urls(tmp_path)

    # the next open trusts the checkpoint again, and still reports the invalid line
    stats = reopen(tmp_path)
    assert stats.get("store/reconciled_files") is None and stats.get("store/registered_on_open") is None
    assert stats.get("store/invalid_lines") == (1 if edit in ("insert_invalid", "all") else None)
    assert path.read_bytes() == before


def test_a_line_appended_after_a_crash_is_registered_without_a_full_scan(tmp_path: Path) -> None:
    path, _ = store_items(tmp_path, URLS[:10])
    extra = json.dumps({"url": "https://news.example.com/late.html", "site": "news", "body": article_body(3)},
                       ensure_ascii=False).encode() + b"\n"
    with path.open("ab") as handle:  # written, then killed before the state's batch committed
        handle.write(extra)
    stats = reopen(tmp_path)
    assert stats["store/registered_on_open"] == 1 and stats.get("store/reconciled_files") is None
    assert "https://news.example.com/late.html" in stored_urls(tmp_path)


def test_only_a_torn_or_invalid_last_line_is_cut_and_kept_in_quarantine(tmp_path: Path) -> None:
    path, _ = store_items(tmp_path, URLS[:5])
    good = path.read_bytes()
    path.write_bytes(good + b'{"url": "https://news.example.com/torn.html", "title": "\xe5\x8d')
    assert repair_tail(path).reason == "torn last line (no newline)"  # type: ignore[union-attr]
    assert path.read_bytes() == good
    path.write_bytes(good + b"not json at all\n")
    stats = reopen(tmp_path)
    assert stats["store/torn_lines"] == 1 and path.read_bytes() == good
    kept = [json.loads(x) for x in path.with_name(path.name + ".quarantine").read_text("utf-8").splitlines()]
    assert [k["line"] for k in kept] == [6, 6] and kept[1]["text"] == "not json at all\n"
    assert kept[0]["text"].startswith('{"url": "https://news.example.com/torn.html"')
    assert repair_tail(path) is None  # a valid last line is never cut


def test_quarantine_moves_only_invalid_lines_and_refuses_while_a_crawl_writes(tmp_path: Path) -> None:
    path, _ = store_items(tmp_path, URLS[:6])
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(2, BAD_LINE)
    lines.insert(4, b"\n")
    path.write_bytes(b"".join(lines))
    bad = invalid_lines(path)
    assert [b.number for b in bad] == [3, 5]
    assert bad[0].reason.startswith("not JSON") and bad[1].reason == "empty line"
    from crawler.state.jsonl import open_for_append

    with open_for_append(path), pytest.raises(BlockingIOError):
        quarantine(path)
    moved = quarantine(path)
    assert len(moved) == 2 and valid_urls(path) == URLS[:6] and not invalid_lines(path)
    assert reopen(tmp_path).get("store/invalid_lines") is None


def test_checkstore_command_lists_and_quarantines(tmp_path: Path) -> None:
    path, _ = store_items(tmp_path, URLS[:4])
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(1, BAD_LINE)
    path.write_bytes(b"".join(lines))

    def checkstore(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scrapy", "checkstore", *args, "-s", f"DATA_DIR={tmp_path}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    listed = checkstore("news")
    assert listed.returncode == 1, listed.stderr
    assert f"{path}:2 (byte " in listed.stdout and "not JSON" in listed.stdout
    assert "1 file(s), 1 invalid line(s)" in listed.stdout
    assert len(path.read_bytes().splitlines()) == 5  # listing changes nothing
    moved = checkstore("--quarantine")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert valid_urls(path) == URLS[:4] and len(path.read_bytes().splitlines()) == 4
    assert "half an edit" in path.with_name(path.name + ".quarantine").read_text("utf-8")
    assert checkstore().returncode == 0
    missing = checkstore("nosuchspider")
    assert missing.returncode != 0 and "no stored articles for nosuchspider" in missing.stderr


# Real crawls -------------------------------------------------------------------------------


def crawl(base_url: str, data_dir: Path) -> tuple[dict[str, Any], str]:
    proc = subprocess.run(crawl_command(base_url, data_dir), capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return read_stats(data_dir), proc.stderr


def article_ids(path: Path) -> list[str]:
    return [re.sub(r"^.*/article/|\.html.*$", "", url) for url in valid_urls(path)]


@pytest.mark.crawl
def test_an_invalid_line_inserted_by_hand_survives_two_crawls_and_destroys_nothing(tmp_path: Path) -> None:
    site = serve_site(pages=120, per_list=40)
    try:
        crawl(site.base_url, tmp_path)
        path = next((tmp_path / "generic").glob("*.jsonl"))
        lines = path.read_bytes().splitlines(keepends=True)
        assert len(lines) == 120
        lines.insert(60, BAD_LINE)
        path.write_bytes(b"".join(lines))
        runs = [crawl(site.base_url, tmp_path) for _ in range(2)]
        # before the store reconciled by content, the second crawl cut a valid line at a stale offset: 119
        assert sorted(article_ids(path), key=int) == [str(i) for i in range(120)]
        assert path.read_bytes().splitlines(keepends=True)[60] == BAD_LINE
        for stats, log in runs:
            assert stats["store/invalid_lines"] == 1 and stats.get("store/torn_lines") is None
            assert stats.get("store/items") is None and stats["incremental/skipped"] == 120
            assert str(path) in log and "invalid line" in log.lower()
    finally:
        site.stop()


@pytest.mark.crawl
def test_edits_between_crawls_lose_nothing(tmp_path: Path) -> None:
    site = serve_site(pages=120, per_list=40)
    try:
        crawl(site.base_url, tmp_path)
        path = next((tmp_path / "generic").glob("*.jsonl"))
        lines = path.read_bytes().splitlines(keepends=True)
        deleted = lines.pop(30)  # a person removes an article they do not want
        lines = lines[50:] + lines[:50]  # and reorders the file
        lines.insert(7, BAD_LINE)  # and leaves a broken line behind
        path.write_bytes(b"".join(lines))
        site.pages = 150  # the portal published 30 more
        stats, _ = crawl(site.base_url, tmp_path)
        assert stats["store/items"] == 30 and stats["store/reconciled_files"] == 1
        stats, _ = crawl(site.base_url, tmp_path)
        assert stats.get("store/items") is None and stats.get("store/reconciled_files") is None
        ids = article_ids(path)
        gone = json.loads(deleted)["url"].rsplit("/", 1)[1].removesuffix(".html")
        assert sorted(ids, key=int) == [str(i) for i in range(150) if str(i) != gone]
        assert BAD_LINE in path.read_bytes()
    finally:
        site.stop()


def _mount_tmpfs(target: Path, size: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True, check=False).returncode == 0


@pytest.mark.crawl
def test_a_full_disk_closes_the_crawl_and_loses_nothing(tmp_path: Path) -> None:
    """A real full disk (a small tmpfs) where the machine allows mounting, else /dev/full as the day's file."""
    data, state = tmp_path / "data", tmp_path / "state.sqlite"
    mounted = _mount_tmpfs(data, "160k")
    site = serve_site(pages=120, per_list=40)
    try:
        if not mounted:  # every write of the day's file fails with ENOSPC, from the kernel
            from datetime import datetime
            from zoneinfo import ZoneInfo

            (data / "generic").mkdir(parents=True)
            day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
            (data / "generic" / f"{day}.jsonl").symlink_to("/dev/full")
        cmd = [*crawl_command(site.base_url, data), "-s", f"STATE_PATH={state}",
               "-s", f"STATS_FILE={tmp_path / 'stats.json'}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT)
        log = proc.stderr
        stats = json.loads((tmp_path / "stats.json").read_text("utf-8"))
        assert stats["finish_reason"] == "store_failed", log[-3000:]
        errors = [line for line in log.splitlines() if " ERROR: " in line and "[Spidermon]" not in line]
        assert len(errors) == 1, errors  # one line for the failure (the monitors report it again, as failed)
        assert "No space left on device" in errors[0] and str(data / "generic") in errors[0]
        assert stats["stats"]["store/write_errors"] >= 1
        written = stats["stats"].get("store/items", 0)
        with sqlite3.connect(state) as db:
            assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == written
        if mounted:
            path = next((data / "generic").glob("*.jsonl"))
            assert path.read_bytes().endswith(b"\n") and len(valid_urls(path)) == written > 0
            assert not invalid_lines(path)  # no partial line left behind
            # room again: the next crawl stores the rest, each article once
            subprocess.run(["mount", "-o", "remount,size=8m", str(data)], check=True)
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT)
            assert proc.returncode == 0, proc.stderr[-3000:]
            assert sorted(article_ids(path), key=int) == [str(i) for i in range(120)]
    finally:
        site.stop()
        if mounted:
            subprocess.run(["umount", str(data)], check=False)


@pytest.mark.crawl
def test_a_read_only_data_dir_fails_the_crawl_with_the_reason(tmp_path: Path) -> None:
    data, state = tmp_path / "data", tmp_path / "state.sqlite"
    if not _mount_tmpfs(data, "1m"):
        pytest.skip("mounting a tmpfs is not allowed here (the full-disk test covers the write path)")
    site = serve_site(pages=10, per_list=10)
    try:
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        cmd = [*crawl_command(site.base_url, data), "-s", f"STATE_PATH={state}",
               "-s", f"STATS_FILE={tmp_path / 'stats.json'}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
        # refused before the engine starts: one line with the reason, nothing fetched, nothing recorded
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        last = proc.stderr.rstrip().splitlines()[-1]
        assert last == f"crawl generic: cannot use DATA_DIR {data}: Read-only file system"
        assert not (tmp_path / "stats.json").exists()
        if state.exists():
            with sqlite3.connect(state) as db:
                assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    finally:
        site.stop()
        subprocess.run(["umount", str(data)], check=False)


def test_sqlite_batch_is_read_before_commit_and_committed_on_close(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite", batch_writes=1000)
    from crawler.state.base import StoredArticle

    store.mark_stored(StoredArticle("s", "http://a/1", ("//a/1",), "h1", (1, 2), b"sig"))
    store.record_lines("s", "art", ["k1", "k2"])
    store.record_lines("s", "art", ["k1", "k2"])
    assert store.unflushed == 2
    assert store.url_stored(["//a/1"]) == "http://a/1" and store.content_stored("h1") == "http://a/1"
    assert store.near_candidates([2]) == {"http://a/1": b"sig"}
    assert store.line_counts("s", ["k1", "k3"]) == {"k1": 1, "k3": 0}
    other = SQLiteStore(tmp_path / "s.sqlite")
    assert other.url_stored(["//a/1"]) is None  # not committed yet
    store.close()
    assert other.url_stored(["//a/1"]) == "http://a/1" and other.line_counts("s", ["k1"]) == {"k1": 1}
    other.close()
