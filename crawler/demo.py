"""A local copy of the portals, built from the fixtures, served on 127.0.0.1 and crawled with no internet.

``python -m crawler.demo`` (``make demo``) serves every fixture page at its URL's path, adds an
index page per spider (``/_index/<spider>/``), crawls each spider's copy with the real
``scrapy crawl`` into a new folder (``data/demo/<UTC time>``) and prints what this run wrote,
with the warnings each crawl logged; it exits 1 when a crawl failed. The tests use ``FixtureSite`` too.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.extract.article import find_next_page
from crawler.fixtures import Fixture, load_fixtures

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
GENERIC_START = "/news/index.html"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class FixtureSite:
    """Serves fixture pages at their URL paths, with their stored headers; unknown paths give 404."""

    def __init__(self, fixtures: list[Fixture], host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, tuple[bytes, dict[str, str]]] = {}
        by_spider: dict[str, list[Fixture]] = {}
        for fixture in fixtures:
            self.routes[_path(fixture.url)] = (fixture.body(), fixture.headers or {"Content-Type": "text/html"})
            by_spider.setdefault(fixture.spider, []).append(fixture)
        for spider, cases in by_spider.items():  # the articles (a page that must give nothing is not linked)
            links = "\n".join(f'<li><a href="{html.escape(_path(f.url))}">{html.escape(f.case)}</a></li>'
                              for f in cases if f.item is not None)
            page = f"<html><head><meta charset='utf-8'><title>{spider}</title></head><body><ul>{links}</ul></body>"
            self.routes[f"/_index/{spider}/"] = (page.encode(), {"Content-Type": "text/html; charset=utf-8"})
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = routes.get(self.path)
                if found is None:
                    body, headers, status = b"<html><body>not found</body></html>", {"Content-Type": "text/html"}, 404
                else:
                    (body, headers), status = found, 200
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FixtureSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class LocalCopyMiddleware:
    """Downloader middleware of the demo's crawls (``DEMO_LOCAL_BASE``, ``DEMO_LOCAL_PATHS``): keeps them local.

    A link to a portal's own host (an absolute next-page link) is fetched from the local copy at the same
    path, so the demo never reaches the internet. A page the copy does not hold (a link the fixture page
    had, never saved) is not requested (INFO line, stat ``demo/not_in_copy``), and an article whose next
    page it does not hold is read as its fixture was, one page.
    """

    def __init__(self, base: str, paths: set[str], crawler: Any) -> None:
        self.base, self.paths, self.crawler = base.rstrip("/"), paths, crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> LocalCopyMiddleware:
        settings = crawler.settings
        paths = settings.get("DEMO_LOCAL_PATHS") or []
        mw = cls(settings.get("DEMO_LOCAL_BASE", ""), set(json.loads(paths) if isinstance(paths, str) else paths),
                 crawler)
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        return mw

    def request_scheduled(self, request: Request, spider: Any) -> None:
        if self.paths and _path(request.url) not in self.paths:
            logger.info("The local copy holds no page at %s: not requested", _path(request.url))
            self.crawler.stats.inc_value("demo/not_in_copy")
            raise IgnoreRequest("not in the local copy")

    def process_request(self, request: Request) -> Request | None:
        if self.base and not request.url.startswith(self.base + "/"):
            return request.replace(url=self.base + _path(request.url))
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if request.meta.get("article") and isinstance(response, TextResponse) and hasattr(spider, "rules"):
            following = find_next_page(response.selector, response.url, spider.selectors.get("next_page"))
            if following and _path(following) not in self.paths:
                request.meta["follow_pages"] = False
        return response


def crawl_command(spider: str, start_url: str, data_dir: Path, *extra: str) -> list[str]:
    """``scrapy crawl`` of a local copy: no robots.txt, no throttling, no incremental skipping."""
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start_urls={start_url}", "-a", "full=1",
            "-s", f"DATA_DIR={data_dir}", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "LOG_LEVEL=WARNING", *extra]
    if spider == "generic":
        args += ["-a", "allow=/article/"]
    return args


def local_settings(site: FixtureSite) -> list[str]:
    """The ``-s`` arguments that keep a crawl on the local copy (see ``LocalCopyMiddleware``)."""
    from scrapy.utils.project import get_project_settings

    mws = {**get_project_settings().getdict("DOWNLOADER_MIDDLEWARES"), "crawler.demo.LocalCopyMiddleware": 10}
    return ["-s", f"DEMO_LOCAL_BASE={site.base_url}", "-s", f"DEMO_LOCAL_PATHS={json.dumps(sorted(site.routes))}",
            "-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(mws)}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spiders", nargs="*", help="spiders to crawl (default: every spider with fixtures)")
    parser.add_argument("--data-dir", help="a new folder for the JSONL (default: data/demo/<UTC time>)")
    args = parser.parse_args()
    fixtures = load_fixtures()
    spiders = args.spiders or sorted({f.spider for f in fixtures})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    data_dir = Path(args.data_dir or f"data/demo/{stamp}").resolve()
    n = 1
    while not args.data_dir and data_dir.exists():  # two demos in one second
        n += 1
        data_dir = Path(f"data/demo/{stamp}-{n}").resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        print(f"demo: {data_dir} is not empty: every demo crawls into a new folder", file=sys.stderr)
        return 2
    failed = []
    with FixtureSite(fixtures) as site:
        print(f"Serving {len(site.routes)} fixture pages at {site.base_url}; crawling into {data_dir}")
        rows = []
        for spider in spiders:
            start = site.base_url + (GENERIC_START if spider == "generic" else f"/_index/{spider}/")
            started = time.monotonic()
            proc = subprocess.run(crawl_command(spider, start, data_dir, *local_settings(site)), cwd=ROOT,
                                  capture_output=True, text=True, check=False)
            files = sorted((data_dir / spider).glob("*.jsonl"))
            items = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line]
            layers = Counter(i["extraction"].get("body", "-") for i in items)
            warnings = sum(1 for line in proc.stderr.splitlines() if " WARNING: " in line or " ERROR: " in line)
            rows.append((spider, len(items), sum(1 for i in items if i.get("published_at")), dict(layers), warnings,
                         time.monotonic() - started, files[-1] if files else None))
            if proc.returncode:
                failed.append(spider)
                print(proc.stderr[-2000:], file=sys.stderr)
    shown = [json.dumps(row[3], sort_keys=True) for row in rows]  # the body layers, in a stable order
    width = max([20, *map(len, shown)])
    print(f"\n{'spider':<10} {'articles':>8} {'dated':>6}  {'body layer':<{width}} {'warnings':>8} seconds  file")
    for (spider, n, dated, _, warnings, secs, path), layers in zip(rows, shown, strict=True):
        print(f"{spider:<10} {n:>8} {dated:>6}  {layers:<{width}} {warnings:>8} {secs:>6.1f}  {path or '-'}")
    total = sum(r[1] for r in rows)
    print(f"\nThis run wrote {total} articles under {data_dir}/<spider>/<date>.jsonl")
    if failed or not total:
        print(f"demo: the crawl of {', '.join(failed) or 'every spider'} failed (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
