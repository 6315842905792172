"""JavaScript-rendered pages: the browser helpers, the middleware, and crawls of a JS site on 127.0.0.1.

The crawl tests need Debian's Chromium (`apt-get install chromium`; `make test` installs it) and are
skipped, with that reason, only when it is absent.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.browser import (
    CHROMIUM_PATH,
    browser_problem,
    handler_problem,
    launch_options,
    render_mode,
    render_page,
    should_abort_request,
    wait_selector,
    wants_render,
)
from crawler.middlewares.render_js import RenderJsMiddleware

ROOT = Path(__file__).resolve().parent.parent
HANDLER = "crawler.browser.LazyPlaywrightDownloadHandler"

PROJECT = get_project_settings()


BODY_TEXT = "这是由脚本在页面加载之后插入的正文，第{n}篇。浏览器渲染之后爬虫才能看到这一段文字。"
SECOND_TEXT = "第二段同样来自 fetch 请求：服务器返回 JSON，脚本把它写进文章容器。"


def filler(n: int, length: int = 240) -> str:
    """Text of its own for article n, so the deduplication pipeline keeps every article."""
    rng = random.Random(n)
    return "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(length)) + "。"

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>脚本渲染的文章 {n}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><h1>脚本渲染的文章 {n}</h1>
<div id="app"><p class="loading">加载中……</p></div>
<img src="/static/banner.png" alt="">
<script>
setTimeout(function () {{
  fetch('/api/body/{n}.json').then(function (r) {{ return r.json(); }}).then(function (data) {{
    var article = document.createElement('article');
    article.className = 'article-body';
    data.paragraphs.forEach(function (text) {{
      var p = document.createElement('p'); p.textContent = text; article.appendChild(p);
    }});
    document.getElementById('app').replaceChildren(article);
  }});
}}, {delay_ms});
</script></body></html>
"""


class JsSite(ThreadingHTTPServer):
    """A news site on 127.0.0.1 whose article body arrives by script: setTimeout, then fetch('/api/body/N.json').

    ``/article/N.html`` is the page as served, ``/list.html`` links ``pages`` articles and ``stubs`` pages
    ``/stub/N.html`` whose body never arrives; every path requested is counted in ``hits`` (images and
    stylesheets too, to show the browser aborts them).
    """

    daemon_threads = True

    def __init__(self, pages: int = 1, delay_ms: int = 300, stubs: int = 0) -> None:
        self.pages = pages
        self.stubs = stubs
        self.delay_ms = delay_ms
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _JsSiteHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> JsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _JsSiteHandler(BaseHTTPRequestHandler):
    server: JsSite

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.hits[path] += 1
        if path == "/list.html":
            links = "".join(f'<li><a href="/article/{n}.html">文章 {n}</a></li>'
                            for n in range(1, self.server.pages + 1))
            links += "".join(f'<li><a href="/stub/{n}.html">坏页 {n}</a></li>' for n in range(1, self.server.stubs + 1))
            self._send("text/html; charset=utf-8", f"<html><body><ul>{links}</ul></body></html>")
        elif path.startswith("/stub/") and path.endswith(".html"):  # its script never delivers the body
            self._send("text/html; charset=utf-8", PAGE.split("<script>")[0] + "</body></html>")
        elif path.startswith("/article/") and path.endswith(".html"):
            n = path.removeprefix("/article/").removesuffix(".html")
            self._send("text/html; charset=utf-8", PAGE.format(n=n, delay_ms=self.server.delay_ms))
        elif path.startswith("/api/body/") and path.endswith(".json"):
            n = path.removeprefix("/api/body/").removesuffix(".json")
            data = {"paragraphs": [BODY_TEXT.format(n=n), filler(int(n)), SECOND_TEXT]}
            self._send("application/json", json.dumps(data, ensure_ascii=False))
        elif path.endswith(".css"):
            self._send("text/css", "body { color: #222 }")
        elif path.endswith(".png"):
            self._send("image/png", "")
        else:
            self.send_error(404)

    def _send(self, content_type: str, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def crawl_command(args: list[str], data_dir: Path, settings: dict[str, Any] | None = None) -> list[str]:
    """``scrapy crawl`` with the project settings, the test defaults and ``settings`` (dicts JSON-encoded)."""
    merged = settings or {}
    cmd = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"DATA_DIR={data_dir}", "-s", "ROBOTSTXT_OBEY=False",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", "-s", "STATE_ENABLED=False"]
    for name, value in merged.items():
        cmd += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict | list) else value}"]
    return cmd


@dataclass
class Crawl:
    returncode: int
    items: list[dict[str, Any]]
    log: str
    children: set[str]  # names of every process the crawl started

    @property
    def chromium_seen(self) -> bool:
        return any("chrom" in name for name in self.children)

    @property
    def driver_seen(self) -> bool:  # the Playwright driver is a Node process
        return any("node" in name for name in self.children)


def _child_names(pid: int) -> set[str]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return set()
    names = set()
    for child in children:
        try:
            names.add(child.name())
        except psutil.Error:
            continue
    return names


def run(args: list[str], data_dir: Path, settings: dict[str, Any] | None = None, timeout: float = 120) -> Crawl:
    """Run a crawl, watching its process tree for Chromium every 50 ms."""
    proc = subprocess.Popen(crawl_command(args, data_dir, settings), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen: set[str] = set()
    result: dict[str, str] = {}

    def communicate() -> None:
        result["out"], result["err"] = proc.communicate(timeout=timeout)

    reader = threading.Thread(target=communicate)
    reader.start()
    while reader.is_alive():
        seen |= _child_names(proc.pid)
        time.sleep(0.05)
    reader.join()
    items = [json.loads(line) for path in sorted(data_dir.glob("*/*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Crawl(proc.returncode, items, result.get("err", ""), seen)


@pytest.fixture
def site() -> Iterator[JsSite]:
    with JsSite(pages=3) as server:
        yield server


needs_chromium = pytest.mark.skipif(
    browser_problem(Settings({"PLAYWRIGHT_LAUNCH_OPTIONS": launch_options()})) is not None,
    reason=f"Chromium is not installed at {CHROMIUM_PATH}: `apt-get install chromium` (make test does)",
)


# Helpers -----------------------------------------------------------------------------------


class _Req:
    def __init__(self, resource_type: str) -> None:
        self.resource_type = resource_type


@pytest.mark.parametrize(("kind", "aborted"), [
    ("image", True), ("media", True), ("font", True), ("stylesheet", True),
    ("document", False), ("script", False), ("fetch", False), ("xhr", False),
])
def test_should_abort_request(kind: str, aborted: bool) -> None:
    assert should_abort_request(_Req(kind)) is aborted


def test_launch_options_use_debian_chromium() -> None:
    options = launch_options()
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["headless"] is True
    assert "--no-sandbox" in options["args"] and "--disable-dev-shm-usage" in options["args"]


def _spider(render_js: Any = False, **attrs: Any) -> Spider:
    spider = Spider(name="s")
    spider.render_js = render_js  # type: ignore[attr-defined]
    for key, value in attrs.items():
        setattr(spider, key, value)
    return spider


@pytest.mark.parametrize(("value", "mode"), [
    (False, "off"), (None, "off"), (True, "articles"), ("1", "articles"), ("articles", "articles"),
    ("all", "all"), ("ALL", "all"), ("0", "off"), ("", "off"),
])
def test_render_mode(value: Any, mode: str) -> None:
    assert render_mode(_spider(value)) == mode


def test_wants_render_articles_only_by_default() -> None:
    spider = _spider(True)
    assert wants_render(spider, Request("https://a.example/news/1.html", meta={"article": True}))
    assert not wants_render(spider, Request("https://a.example/news/"))
    assert wants_render(_spider("all"), Request("https://a.example/news/"))
    assert not wants_render(_spider(False), Request("https://a.example/news/1.html", meta={"article": True}))


def test_wants_render_per_request_and_never_for_feeds() -> None:
    assert wants_render(_spider(False), Request("https://a.example/x.html", meta={"render_js": True}))
    assert not wants_render(_spider("all"), Request("https://a.example/x.html", meta={"render_js": False}))
    for url in ("https://a.example/robots.txt", "https://a.example/sitemap.xml", "https://a.example/rss.xml",
                "https://a.example/sitemap.xml.gz"):
        assert not wants_render(_spider("all"), Request(url, meta={"article": True})), url


def test_wait_selector_falls_back_to_css_body_selectors() -> None:
    assert wait_selector(_spider(True, wait_selector="#app article")) == "#app article"
    spider = _spider(True, selectors={"body": ["article.tt", "//div[@id='x']", "div.body p::text", ".content"]})
    assert wait_selector(spider) == "article.tt, .content"
    assert wait_selector(_spider(True, selectors={"body": "//div"})) is None


def test_browser_problem_names_the_fix() -> None:
    missing = browser_problem(Settings({"PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": "/nonexistent/chromium"}}))
    assert missing and "Chromium not found at /nonexistent/chromium" in missing and "apt-get install" in missing
    assert "executable_path" in (browser_problem(Settings({"PLAYWRIGHT_LAUNCH_OPTIONS": {}})) or "")
    assert browser_problem(Settings({"PLAYWRIGHT_CDP_URL": "ws://127.0.0.1:9222"})) is None


def test_handler_problem() -> None:
    assert handler_problem(Settings({})) is not None
    assert handler_problem(Settings({"DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER}})) is None


def test_project_settings_wire_the_render_stack() -> None:
    assert handler_problem(PROJECT) is None
    assert PROJECT.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == launch_options()
    assert PROJECT["PLAYWRIGHT_ABORT_REQUEST"] == "crawler.browser.should_abort_request"
    assert PROJECT.getint("PLAYWRIGHT_MAX_CONTEXTS") >= 1 and PROJECT.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") >= 1
    assert "crawler.middlewares.render_js.RenderJsMiddleware" in PROJECT.getdict("DOWNLOADER_MIDDLEWARES")
    assert "crawler.extensions.browser_check.BrowserCheck" in PROJECT.getdict("EXTENSIONS")
    assert PROJECT["TWISTED_REACTOR"] == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def _middleware(spider: Spider, **settings: Any) -> RenderJsMiddleware:
    # any executable passes the browser check: these tests never launch it
    options = {**launch_options(), "executable_path": sys.executable}
    crawler = get_crawler(type(spider), settings_dict={"PLAYWRIGHT_LAUNCH_OPTIONS": options, **settings})
    crawler.spider = spider
    return RenderJsMiddleware.from_crawler(crawler)


def test_middleware_marks_article_requests_only() -> None:
    mw = _middleware(_spider(True, wait_selector=".article-content"), RENDER_JS_WAIT_TIMEOUT=5000)
    article = Request("https://a.example/a/1.html", meta={"article": True})
    listing = Request("https://a.example/news/")
    mw.process_request(article)
    mw.process_request(listing)
    assert article.meta["playwright"] is True and article.meta["playwright_context"] == "render"
    (method,) = article.meta["playwright_page_methods"]
    assert method.method == "wait_for_selector" and method.args == (".article-content",)
    assert method.kwargs == {"state": "attached", "timeout": 5000}
    assert "playwright" not in listing.meta


def test_middleware_without_selector_waits_for_network_idle() -> None:
    mw = _middleware(_spider("all"))
    request = Request("https://a.example/news/")
    mw.process_request(request)
    assert request.meta["playwright_page_goto_kwargs"] == {"wait_until": "networkidle"}
    assert "playwright_page_methods" not in request.meta


def test_middleware_leaves_other_spiders_alone() -> None:
    mw = _middleware(_spider(False), PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/nonexistent"})
    request = Request("https://a.example/a/1.html", meta={"article": True})
    mw.process_request(request)
    assert "playwright" not in request.meta


def test_middleware_closes_the_spider_when_the_browser_is_missing() -> None:
    mw = _middleware(_spider(False), PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/nonexistent/chromium"})
    reasons: list[str] = []

    class Engine:
        async def close_spider_async(self, *, reason: str) -> None:
            reasons.append(reason)

    mw.crawler.engine = Engine()  # type: ignore[assignment]

    async def crawl() -> None:  # in a running loop, as in a crawl
        for n in (1, 2):
            with pytest.raises(IgnoreRequest, match="Chromium not found"):
                mw.process_request(Request(f"https://a.example/a/{n}.html", meta={"render_js": True}))
        await asyncio.sleep(0)

    asyncio.run(crawl())
    assert reasons == ["browser_missing"]
    assert mw.crawler.stats.get_value("render_js/browser_missing") == 2


# Crawls ------------------------------------------------------------------------------------


@pytest.mark.crawl
@needs_chromium
def test_rendered_crawl_gets_the_scripted_body(site: JsSite, tmp_path: Path) -> None:
    url = f"{site.base}/article/1.html"
    got = run(["generic", "-a", f"url={url}", "-a", "render_js=1", "-a", "wait_selector=article.article-body"],
              tmp_path / "js")
    assert got.returncode == 0, got.log[-3000:]
    assert [item["url"] for item in got.items] == [url], got.log[-3000:]
    assert BODY_TEXT.format(n=1) in got.items[0]["body"] and SECOND_TEXT in got.items[0]["body"]
    assert "加载中" not in got.items[0]["body"]
    assert got.chromium_seen and got.driver_seen, got.children
    assert site.hits["/api/body/1.json"] == 1
    assert site.hits["/static/banner.png"] == 0 and site.hits["/static/site.css"] == 0  # aborted
    assert "'render_js/wait_selector': 1" in got.log
    assert "'playwright/request_count/aborted': 2" in got.log


@pytest.mark.crawl
@needs_chromium
def test_rendered_crawl_without_selector_waits_for_network_idle(site: JsSite, tmp_path: Path) -> None:
    url = f"{site.base}/article/2.html"
    got = run(["generic", "-a", f"url={url}", "-a", "render_js=1"], tmp_path / "idle")
    assert got.returncode == 0, got.log[-3000:]
    assert len(got.items) == 1 and BODY_TEXT.format(n=2) in got.items[0]["body"], got.log[-3000:]


@pytest.mark.crawl
def test_plain_crawl_sees_only_the_stub_and_starts_no_browser(site: JsSite, tmp_path: Path) -> None:
    url = f"{site.base}/article/1.html"
    got = run(["generic", "-a", f"url={url}"], tmp_path / "plain")
    assert "Spider closed (finished)" in got.log, got.log[-3000:]
    assert all(BODY_TEXT.format(n=1) not in item["body"] for item in got.items)
    assert site.hits["/api/body/1.json"] == 0
    assert not got.chromium_seen and not got.driver_seen, got.children
    assert "Starting download handler" not in got.log


@pytest.mark.crawl
@needs_chromium
def test_list_pages_stay_plain_http(site: JsSite, tmp_path: Path) -> None:
    got = run(["generic", "-a", f"start_urls={site.base}/list.html", "-a", r"allow=/article/\d+\.html$",
               "-a", "render_js=1", "-a", "wait_selector=article.article-body", "-a", "depth=1"], tmp_path / "list")
    assert got.returncode == 0, got.log[-3000:]
    assert sorted(item["url"] for item in got.items) == [f"{site.base}/article/{n}.html" for n in (1, 2, 3)]
    assert all(SECOND_TEXT in item["body"] for item in got.items)
    assert "'render_js/requests': 3" in got.log  # the list page went over plain HTTP


@needs_chromium
def test_render_page_gives_the_rendered_dom_for_fixtures(site: JsSite) -> None:
    page = render_page(f"{site.base}/article/3.html", wait_for="article.article-body", timeout_ms=10000)
    assert page.status == 200 and page.url == f"{site.base}/article/3.html"
    assert BODY_TEXT.format(n=3) in page.html and "加载中" not in page.html
    assert site.hits["/static/banner.png"] == 0
    with pytest.raises(FileNotFoundError, match="apt-get install"):
        render_page(page.url, options={"executable_path": "/nonexistent/chromium"})


def _stat(log: str, name: str) -> float | None:
    found = re.search(rf"'{re.escape(name)}': (\d+(?:\.\d+)?)", log)
    return float(found.group(1)) if found else None


@pytest.mark.crawl
@needs_chromium
def test_pages_are_bounded_and_closed_on_errors(tmp_path: Path) -> None:
    with JsSite(pages=6, stubs=2) as site:
        got = run(["generic", "-a", f"start_urls={site.base}/list.html", "-a", r"allow=/(article|stub)/\d+\.html$",
                   "-a", "render_js=1", "-a", "wait_selector=article.article-body", "-a", "depth=1"],
                  tmp_path / "bounded", {"CONCURRENT_REQUESTS": 8, "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
                                         "RENDER_JS_WAIT_TIMEOUT": 1500})
    assert got.returncode == 0, got.log[-3000:]
    assert len(got.items) == 6
    assert _stat(got.log, "playwright/page_count/max_concurrent") == 2  # 8 requests in flight, 2 pages
    assert _stat(got.log, "playwright/page_count") == 8
    assert _stat(got.log, "playwright/page_count/closed") == 8  # the 2 timed-out pages too
    assert _stat(got.log, "downloader/exception_type_count/playwright._impl._errors.TimeoutError") == 2
    assert "Closing page due to failed request" in got.log and "/stub/1.html" in got.log


@pytest.mark.crawl
def test_missing_browser_fails_loudly(site: JsSite, tmp_path: Path) -> None:
    url = f"{site.base}/article/1.html"
    got = run(["generic", "-a", f"url={url}", "-a", "render_js=1"], tmp_path / "missing",
              settings={"PLAYWRIGHT_LAUNCH_OPTIONS": {**launch_options(), "executable_path": "/nonexistent/chromium"}})
    assert got.returncode != 0
    assert "CRITICAL" in got.log and "Chromium not found at /nonexistent/chromium" in got.log
    assert "apt-get install" in got.log
    assert site.hits["/article/1.html"] == 0 and not got.items


@pytest.mark.crawl
def test_missing_handler_fails_loudly(site: JsSite, tmp_path: Path) -> None:
    url = f"{site.base}/article/1.html"
    plain = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
    got = run(["generic", "-a", f"url={url}", "-a", "render_js=1"], tmp_path / "nohandler",
              settings={"DOWNLOAD_HANDLERS": {"http": plain, "https": plain}})
    assert got.returncode != 0 and "not a scrapy-playwright handler" in got.log


def test_no_chromium_left_running() -> None:
    """Crawls above close their browser: no orphan Chromium of this test session."""
    me = psutil.Process(os.getpid())
    assert not any("chrom" in p.name() for p in me.children(recursive=True))
