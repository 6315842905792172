"""Quiet, honest logs: incremental skips, offsite links and redirects, stale pending URLs, multi-page meta."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.crawlutil import read_jsonl, read_stats
from tests.localsite import article_body, article_html, serve_site
from tests.test_crawlall import ROOT
from tests.test_operations import scrapy_cmd

pytestmark = pytest.mark.crawl


def run(command: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = scrapy_cmd(command, data_dir, *args, "-s", f"STATS_FILE={data_dir / 'stats.json'}")
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]


def test_no_op_rerun_is_quiet_and_counts_skips(tmp_path: Path) -> None:
    site = serve_site(pages=30, per_list=30)
    try:
        first = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
        assert first.returncode == 0 and len(read_jsonl(tmp_path, "localnews")) == 30, first.stderr[-2000:]
        again = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
    finally:
        site.stop()
    stats = read_stats(tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert stats["incremental/skipped"] == 30 and stats["articles/found"] == 30
    assert not any(k.startswith("articles/failed/") for k in stats), stats
    assert warnings(again.stderr) == [] and "log_count/WARNING" not in stats
    assert len(read_jsonl(tmp_path, "localnews")) == 30


class Routes:
    """A site of fixed pages: path -> (status, headers, body); ``"reset"`` closes the connection unanswered."""

    def __init__(self, routes: dict[str, object]) -> None:
        self.routes = routes
        table = routes

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                found = table.get(self.path)
                if found == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                status, headers, body = found if found else (404, {}, b"not found")  # type: ignore[misc]
                self.send_response(status)
                for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def routes() -> Iterator[Callable[[dict[str, object]], Routes]]:
    started: list[Routes] = []

    def start(table: dict[str, object]) -> Routes:
        started.append(Routes(table))
        return started[-1]

    yield start
    for r in started:
        r.stop()


def page(html: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, html.encode("utf-8")


def links(*hrefs: str) -> tuple[int, dict[str, str], bytes]:
    return page("<html><body>" + "".join(f"<a href='{h}'>x</a>" for h in hrefs) + "</body></html>")


def pending(data_dir: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data_dir / "state.sqlite") as db:
        return [(url, n) for url, n in db.execute("SELECT url, attempts FROM pending ORDER BY id")]


def test_offsite_links_and_redirects_never_stay_pending(tmp_path: Path, routes) -> None:  # type: ignore[no-untyped-def]
    site = routes({
        "/list/1": links("/article/1.html", "http://offsite.invalid/article/2.html", "/article/3.html"),
        "/article/1.html": page(article_html(1, article_body(1), "/article/1.html")),
        "/article/3.html": (301, {"Location": "http://elsewhere.invalid/article/9.html"}, b""),
    })
    proc = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert pending(tmp_path) == []
    stats = read_stats(tmp_path)
    assert stats["articles/offsite_redirect"] == 1 and stats["offsite/filtered"] == 2 and stats["store/items"] == 1
    assert f"Dropped {site.base_url}/article/3.html: it redirects to http://elsewhere.invalid/article/9.html" \
        in proc.stderr
    assert warnings(proc.stderr) == []


def test_stale_pending_urls_are_dropped_after_max_attempts(tmp_path: Path, routes) -> None:  # type: ignore[no-untyped-def]
    site = routes({
        "/list/1": links("/article/1.html", "/article/dead.html"),
        "/list/2": links("/article/1.html"),  # the dead link is gone from the site's lists
        "/article/1.html": page(article_html(1, article_body(1), "/article/1.html")),
        "/article/dead.html": "reset",
    })
    dead = f"{site.base_url}/article/dead.html"
    settings = ("-s", "PENDING_MAX_ATTEMPTS=2", "-s", "RETRY_TIMES=0")
    run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1", *settings)
    assert pending(tmp_path) == [(dead, 0)]
    attempts = []
    for _ in range(3):
        run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/2", *settings)
        attempts.append((pending(tmp_path), read_stats(tmp_path).get("pending/dropped_stale")))
    assert attempts == [([(dead, 1)], None), ([(dead, 2)], None), ([], 1)]
    assert len(read_jsonl(tmp_path, "localnews")) == 1


def test_multi_page_article_copies_no_download_meta(tmp_path: Path, routes) -> None:  # type: ignore[no-untyped-def]
    body1, body2 = article_body(11), article_body(12)
    first = article_html(11, body1, "/article/m.html").replace(
        "</article>", "</article><a rel='next' href='/article/m_2.html'>下一页</a>")
    site = routes({
        "/list/1": links("/article/m.html"),
        "/article/m.html": page(first),
        "/article/m_2.html": page(article_html(11, body2, "/article/m_2.html")),
    })
    proc = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (item,) = read_jsonl(tmp_path, "localnews")
    assert item["pages"] == 2 and body2.split("\n")[0][:20] in item["body"]
    assert warnings(proc.stderr) == [], warnings(proc.stderr)
    assert json.loads((tmp_path / "stats.json").read_text())["stats"]["articles/multipage"] == 1


def test_implausible_date_is_moved_logged_and_fails_the_monitor(tmp_path: Path, routes) -> None:  # type: ignore[no-untyped-def]
    html = article_html(1, article_body(1), "/article/1.html").replace("2026-03-02T09:30:00+08:00",
                                                                          "2099-03-02T09:30:00+08:00")
    site = routes({"/list/1": links("/article/1.html"), "/article/1.html": page(html)})
    proc = run("crawl", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
    (item,) = read_jsonl(tmp_path, "localnews")
    assert item["published_at"] is None and item["extra"]["implausible_published_at"] == "2099-03-02T09:30:00+08:00"
    assert read_stats(tmp_path)["validate/implausible_date"] == 1
    assert f"Implausible date in {site.base_url}/article/1.html" in proc.stderr
    assert proc.returncode == 1 and "Implausible Dates Monitor" in proc.stderr.splitlines()[-1]
