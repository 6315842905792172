"""A local copy of the portals, built from the fixtures, served on 127.0.0.1 and crawled with no internet.

``python -m crawler.demo`` (``make demo``) serves every fixture page at its URL's path, adds an
index page per spider (``/_index/<spider>/``), crawls each spider's copy with the real
``scrapy crawl`` and prints where the JSONL went with a summary. The tests use ``FixtureSite`` too.
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.fixtures import Fixture, load_fixtures

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
        for spider, cases in by_spider.items():
            links = "\n".join(f'<li><a href="{html.escape(_path(f.url))}">{html.escape(f.case)}</a></li>'
                              for f in cases)
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


def crawl_command(spider: str, start_url: str, data_dir: Path, *extra: str) -> list[str]:
    """``scrapy crawl`` of a local copy: no robots.txt, no throttling, no incremental skipping."""
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start_urls={start_url}", "-a", "full=1",
            "-s", f"DATA_DIR={data_dir}", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "LOG_LEVEL=WARNING", *extra]
    if spider == "generic":
        args += ["-a", "allow=/article/"]
    return args


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spiders", nargs="*", help="spiders to crawl (default: every spider with fixtures)")
    parser.add_argument("--data-dir", default="data/demo", help="where the JSONL goes (default data/demo)")
    args = parser.parse_args()
    fixtures = load_fixtures()
    spiders = args.spiders or sorted({f.spider for f in fixtures})
    data_dir = Path(args.data_dir).resolve()
    with FixtureSite(fixtures) as site:
        print(f"Serving {len(site.routes)} fixture pages at {site.base_url}")
        rows = []
        for spider in spiders:
            start = site.base_url + (GENERIC_START if spider == "generic" else f"/_index/{spider}/")
            started = time.monotonic()
            proc = subprocess.run(crawl_command(spider, start, data_dir), cwd=ROOT, capture_output=True, text=True,
                                  check=False)
            files = sorted((data_dir / spider).glob("*.jsonl"))
            items = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line]
            layers = Counter(i["extraction"].get("body", "-") for i in items)
            rows.append((spider, len(items), sum(1 for i in items if i.get("published_at")), dict(layers),
                         time.monotonic() - started, files[-1] if files else None))
            if proc.returncode:
                print(proc.stderr[-2000:], file=sys.stderr)
    print(f"\n{'spider':<10} {'articles':>8} {'dated':>6}  body layer           seconds  file")
    for spider, n, dated, layers, secs, path in rows:
        print(f"{spider:<10} {n:>8} {dated:>6}  {json.dumps(layers):<20} {secs:>6.1f}  {path or '-'}")
    total = sum(r[1] for r in rows)
    print(f"\n{total} articles written under {data_dir}/<spider>/<date>.jsonl")
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
