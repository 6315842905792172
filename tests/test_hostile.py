"""Hostile inputs against a real server on 127.0.0.1: no crash, the crawl goes on, every drop is logged and counted.

One threaded server serves each hostile case at its own path beside good article pages. One
``scrapy crawl generic`` walks a list page linking every case; one ``scrapy crawl hostile``
(``tests/spiders_hostile``) reads malformed feeds and sitemaps. For each case the tests check
that the good articles are stored, that a log line names the case URL with a reason, that a stat
counts it, and that no spider or pipeline error (a crash of our code) is logged.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.crawlutil import CrawlResult, run_crawl

pytestmark = pytest.mark.crawl

PARAGRAPHS = [
    "记者从市交通运输局获悉，城市东部新建的跨江大桥今天上午正式通车，过江时间由原来的四十分钟缩短到十分钟以内。",
    "大桥全长三点二公里，主跨六百米，设计时速六十公里，双向六车道，并在两侧各设置了一条非机动车道和人行步道。",
    "市交通运输局有关负责人表示，大桥通车后将有效缓解老城区两座旧桥的交通压力，方便沿江两岸居民日常出行。",
    "据了解，大桥于三年前开工建设，建设过程中采用了多项新技术，施工期间未发生一起安全事故，工程质量全部合格。",
]


def article(title: str, day: str, paragraphs: list[str] | None = None, charset: str = "utf-8") -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs or PARAGRAPHS)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"{day}T09:30:00+08:00"}, ensure_ascii=False)
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{html.escape(title)}</title>'
            f'<script type="application/ld+json">{ld}</script></head><body>'
            '<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
            f'<div class="article"><h1>{html.escape(title)}</h1><span class="time">{day} 09:30</span>'
            f'<div class="content">{body}</div></div><div class="footer">版权所有</div></body></html>')


_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
          "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应")


def paragraphs(seed: int, count: int = 5) -> list[str]:
    """Distinct text per seed: the dedup pipelines must not take one test article for a copy of another."""
    rng = random.Random(seed)
    return ["".join("".join(rng.choices(_CHARS, k=rng.randint(8, 16))) + "，" for _ in range(6))[:-1] + "。"
            for _ in range(count)]


GOOD = {n: article(f"跨江大桥正式通车第{n}篇", f"2026-11-{10 + n:02d}", [PARAGRAPHS[n % 4], *paragraphs(n)])
        for n in range(1, 7)}
GBK_TEXT = ["江景花园小区今年完成老旧管网改造，居民用水更加稳定，小区物业表示将继续做好后续维护工作。",
            "街道办事处负责人介绍，改造工程共更换供水管道两千余米，涉及住户八百多户，居民满意度明显提高。"]
UTF8_TEXT = ["滨河公园的樱花进入盛花期，吸引了大批市民和游客前来观赏拍照，公园管理处增加了保洁和安保人员。",
             "公园管理处提醒游客文明赏花，不要攀折花枝，并建议市民错峰出行，尽量选择公共交通工具前往公园。"]


@dataclass
class Case:
    path: str
    handler: Callable[[BaseHTTPRequestHandler], None]
    stats: tuple[str, ...] = ()  # any of these stats (prefixes) counts the case
    reason: str = ""  # regex a log line naming the case URL must match
    stored: bool | None = False  # True: must be stored; None: stored or rejected, either is fine


def send(req: BaseHTTPRequestHandler, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8",
         length: int | None = None, extra: dict[str, str] | None = None) -> None:
    req.send_response(status)
    req.send_header("Content-Type", ctype)
    if length != -1:
        req.send_header("Content-Length", str(len(body) if length is None else length))
    for key, value in (extra or {}).items():
        req.send_header(key, value)
    req.end_headers()
    req.wfile.write(body)
    req.wfile.flush()


def static(body: bytes | str, status: int = 200, ctype: str = "text/html; charset=utf-8",
           extra: dict[str, str] | None = None) -> Callable[[BaseHTTPRequestHandler], None]:
    data = body.encode() if isinstance(body, str) else body
    return lambda req: send(req, data, status, ctype, extra=extra)


def huge(req: BaseHTTPRequestHandler) -> None:
    """A 50 MB page, announced by Content-Length."""
    size = 50 * 2**20
    chunk = b"<p>" + "很长的页面".encode() * 2000 + b"</p>"
    send(req, b"<html><body>", length=size)
    sent = 12
    while sent < size:
        req.wfile.write(chunk)
        sent += len(chunk)


def huge_stream(req: BaseHTTPRequestHandler) -> None:
    """A 50 MB page with no Content-Length: the body ends when the server closes."""
    send(req, b"<html><body>", length=-1, extra={"Connection": "close"})
    chunk = b"<p>" + "很长的页面".encode() * 2000 + b"</p>"
    for _ in range(50 * 2**20 // len(chunk)):
        req.wfile.write(chunk)


def stall(req: BaseHTTPRequestHandler) -> None:
    """Headers and half a page, then nothing: the client's download timeout must end it."""
    page = GOOD[1].encode()
    send(req, page[:400], length=len(page))
    time.sleep(8)


def cut(req: BaseHTTPRequestHandler) -> None:
    """Content-Length promises more than is sent, then the connection closes (data loss)."""
    page = GOOD[1].encode()
    send(req, page[:400], length=len(page), extra={"Connection": "close"})
    req.close_connection = True


def reset(req: BaseHTTPRequestHandler) -> None:
    """The connection is reset (RST) before any response."""
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.connection.close()
    req.close_connection = True


def drip(req: BaseHTTPRequestHandler) -> None:
    """A byte every 0.2 s: never done within the download timeout."""
    page = GOOD[1].encode()
    send(req, b"", length=len(page))
    for byte in page:
        req.wfile.write(bytes([byte]))
        req.wfile.flush()
        time.sleep(0.2)


def loop(req: BaseHTTPRequestHandler) -> None:
    """An endless redirect chain: /case/loop/N.html -> /case/loop/N+1.html."""
    n = int(re.findall(r"\d+", req.path)[-1])
    send(req, b"", status=302, extra={"Location": f"/case/loop/{n + 1}.html"})


def deep(levels: int) -> str:
    return ("<html><head><meta charset='utf-8'><title>深</title></head><body>" + "<div>" * levels
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>" * levels + "</body></html>")


_rng = random.Random(5)
BINARY = bytes(_rng.randrange(256) for _ in range(20_000))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + BINARY[:5000] + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + BINARY[:8000]
# With an errback on the request, HttpErrorMiddleware neither logs nor counts: the errback must.
HTTP_STATS = ("articles/failed/HttpError", "articles/failed/http")
DOWNLOAD_ERROR = (r"Error downloading|took longer than|Connection|closed|lost|timeout|Timeout|Cancel|max size|[Rr]eset|"
                  r"[Dd]ata ?[Ll]oss")

CASES = [
    Case("/case/empty.html", static(b""), ("articles/rejected/empty_page",), r"empty"),
    Case("/case/huge.html", huge, ("downloader/exception_type_count/",), r"max size|larger than download max"),
    Case("/case/huge-stream.html", huge_stream, ("downloader/exception_type_count/",),
         r"max size|larger than download max"),
    Case("/case/truncated.html", static(article("截断的页面", "2026-11-02", paragraphs(99))[:1200]),
         ("articles/rejected/",), r"No article", stored=None),
    Case("/case/gbk-declared-utf8.html",
         static(article("江景花园完成管网改造", "2026-11-19", GBK_TEXT, "utf-8").encode("gbk")),
         ("encoding/corrected",), "", stored=True),
    Case("/case/utf8-declared-gbk.html",
         static(article("滨河公园樱花盛开", "2026-11-18", UTF8_TEXT, "gbk").encode("utf-8"),
                ctype="text/html; charset=gbk"),
         ("encoding/corrected",), "", stored=True),
    Case("/case/binary.html", static(BINARY), ("articles/rejected/",), r"No article"),
    Case("/case/pdf.html", static(PDF), ("articles/rejected/",), r"No article"),
    Case("/case/image.html", static(PNG), ("articles/rejected/",), r"No article"),
    Case("/case/deep.html", static(deep(10_000)), ("articles/rejected/",), r"No article", stored=None),
    Case("/case/scripts.html", static("<html><head><meta charset='utf-8'></head><body>"
                                      + "<script>var a = '很多脚本很多脚本很多脚本';</script>" * 2000
                                      + "</body></html>"), ("articles/rejected/no_body",), r"No article"),
    Case("/case/404.html", static(article("页面不存在", "2026-11-01"), status=404),
         (*HTTP_STATS, "httperror/response_ignored_status_count/404"), r"404"),
    Case("/case/500.html", static(article("服务器错误", "2026-11-01"), status=500),
         (*HTTP_STATS, "httperror/response_ignored_status_count/500"), r"500"),
    Case("/case/503.html", static(article("服务不可用", "2026-11-01"), status=503),
         (*HTTP_STATS, "httperror/response_ignored_status_count/503"), r"503"),
    Case("/case/loop/0.html", loop, ("articles/failed/",), r"redirect"),
    Case("/case/stall.html", stall, ("downloader/exception_type_count/",), DOWNLOAD_ERROR),
    Case("/case/cut.html", cut, ("downloader/exception_type_count/",), DOWNLOAD_ERROR),
    Case("/case/reset.html", reset, ("downloader/exception_type_count/",), DOWNLOAD_ERROR),
    Case("/case/drip.html", drip, ("downloader/exception_type_count/",), DOWNLOAD_ERROR),
]

# Malformed feeds and sitemaps, read by tests/spiders_hostile/hostile.py.
RSS_ITEM = ("<item><title>t</title><link>{base}/good/{n}.html</link>"
            "<pubDate>Mon, 23 Nov 2026 08:00:00 +0800</pubDate></item>")
SITEMAP_URL = "<url><loc>{base}/good/{n}.html</loc><lastmod>2026-11-23</lastmod></url>"
SM_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def feeds(base: str) -> dict[str, tuple[bytes, str]]:
    xml = "application/xml"
    good_rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{RSS_ITEM.format(base=base, n=3)}'
    truncated_rss = (f'<?xml version="1.0"?><rss version="2.0"><channel>{RSS_ITEM.format(base=base, n=4)}'
                     f"<item><title>cut here")
    good_sm = f'<?xml version="1.0"?><urlset {SM_NS}>{SITEMAP_URL.format(base=base, n=5)}</urlset>'
    truncated_sm = f'<?xml version="1.0"?><urlset {SM_NS}>{SITEMAP_URL.format(base=base, n=6)}<url><loc>http'
    index = (f'<?xml version="1.0"?><sitemapindex {SM_NS}><sitemap><loc>{base}/sitemap/index-loop.xml</loc>'
             f"</sitemap><sitemap><loc>{base}/sitemap/good.xml</loc></sitemap></sitemapindex>")
    return {
        "/feed/good.xml": ((good_rss + "</channel></rss>").encode(), xml),
        "/feed/garbage.xml": (b"this is not xml <<<>>> &&& at all", xml),
        "/feed/truncated.xml": (truncated_rss.encode(), xml),
        "/feed/nul.xml": (good_rss.replace("<title>c</title>", "<title>c\x00\x01\x1b</title>").encode(), xml),
        "/feed/empty.xml": (b"", xml),
        "/feed/html.xml": (GOOD[1].encode(), "text/html; charset=utf-8"),
        "/feed/binary.xml": (BINARY, xml),
        "/sitemap/good.xml": (good_sm.encode(), xml),
        "/sitemap/garbage.xml": (b"this is not xml <<<>>> &&& at all", xml),
        "/sitemap/truncated.xml": (truncated_sm.encode(), xml),
        "/sitemap/corrupt.xml.gz": (gzip.compress(good_sm.encode())[:40], "application/x-gzip"),
        "/sitemap/empty.xml": (b"", xml),
        "/sitemap/index-loop.xml": (index.encode(), xml),
        "/sitemap/binary.xml": (BINARY, xml),
    }


class HostileSite:
    def __init__(self) -> None:
        routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {c.path: c.handler for c in CASES}
        for n, page in GOOD.items():
            routes[f"/good/{n}.html"] = static(page)
        links = [c.path for c in CASES] + ["/good/1.html", "/good/2.html"]
        routes["/list.html"] = static("<html><head><meta charset='utf-8'></head><body>" + "".join(
            f'<a href="{path}">链接</a>' for path in links) + "</body></html>")
        self.routes = routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                handler = routes.get(path)
                if handler is None and path.startswith("/case/loop/"):
                    handler = loop
                if handler is None:
                    send(self, b"<html><body>not found</body></html>", status=404)
                    return
                try:
                    handler(self)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        for path, (body, ctype) in feeds(self.base_url).items():
            routes[path] = static(body, ctype=ctype)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


SETTINGS = ["-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=3",
            "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_MAXSIZE=8388608", "-s", "DOWNLOAD_WARNSIZE=4194304",
            "-s", "REDIRECT_MAX_TIMES=5", "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "-s", "STATE_ENABLED=False"]


@pytest.fixture(scope="module")
def site() -> Iterator[HostileSite]:
    with HostileSite() as running:
        yield running


@pytest.fixture(scope="module")
def generic_crawl(site: HostileSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(["generic", "-a", f"start_urls={site.base_url}/list.html", "-a", "allow=/case/|/good/",
                      "-a", "depth=1", *SETTINGS], tmp_path_factory.mktemp("generic"), timeout=90)


@pytest.fixture(scope="module")
def feed_crawl(site: HostileSite, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(["hostile", "-a", f"base={site.base_url}",
                      "-s", "SPIDER_MODULES=crawler.spiders,tests.spiders_hostile", *SETTINGS],
                     tmp_path_factory.mktemp("hostile"), timeout=90)


CRASH = re.compile(r"Spider error processing|Error processing \{|Error caught on signal|Unhandled error")


def crashes(log: str, url: str | None = None) -> list[str]:
    """Lines showing our code failed (a spider or pipeline exception), optionally only those naming ``url``."""
    return [line for line in log.splitlines() if CRASH.search(line) and (url is None or url in line)]


def lines_naming(log: str, url: str) -> list[str]:
    return [line for line in log.splitlines() if url in line]


def stored_paths(result: CrawlResult, base: str) -> set[str]:
    return {item["url"].removeprefix(base) for item in result.items}


# Known bugs in shared files, each with its fix in the report; strict, so the test flips when fixed.


# The generic crawl over every case ---------------------------------------------------------------------

def test_the_crawl_finishes(generic_crawl: CrawlResult, site: HostileSite) -> None:
    assert "'finish_reason': 'finished'" in generic_crawl.log, generic_crawl.log[-3000:]
    # Crashes on a case are asserted per case below; nothing else may crash.
    others = [line for line in crashes(generic_crawl.log) if not any(site.base_url + c.path in line for c in CASES)]
    assert others == []


def test_no_crash_at_all(generic_crawl: CrawlResult) -> None:
    assert crashes(generic_crawl.log) == []


def test_good_articles_are_stored(generic_crawl: CrawlResult, site: HostileSite) -> None:
    stored = stored_paths(generic_crawl, site.base_url)
    assert {"/good/1.html", "/good/2.html"} <= stored, generic_crawl.log[-3000:]
    assert generic_crawl.stats["store/items"] == len(generic_crawl.items)


CASE_PARAMS = [pytest.param(c, id=c.path) for c in CASES]


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_each_case_is_logged_counted_or_stored(case: Case, generic_crawl: CrawlResult, site: HostileSite) -> None:
    url = site.base_url + case.path
    log, stats = generic_crawl.log, generic_crawl.stats
    assert crashes(log, url) == []
    stored = case.path in stored_paths(generic_crawl, site.base_url)
    if case.stored:
        assert stored, "\n".join(lines_naming(log, url)) or log[-3000:]
    counted = [k for k in stats if any(k.startswith(prefix) for prefix in case.stats)]
    if case.stored is None and stored:
        return
    if not case.stored:
        assert not stored
    assert counted, f"no stat among {case.stats}: {sorted(stats)}"
    if case.reason:
        naming = lines_naming(log, url)
        assert any(re.search(case.reason, line) for line in naming), "\n".join(naming) or "no line names the URL"


def test_wrong_charsets_are_read_right(generic_crawl: CrawlResult, site: HostileSite) -> None:
    by_path = {item["url"].removeprefix(site.base_url): item for item in generic_crawl.items}
    assert "江景花园" in by_path["/case/gbk-declared-utf8.html"]["body"]
    assert "樱花" in by_path["/case/utf8-declared-gbk.html"]["body"]
    assert generic_crawl.stats["encoding/corrected"] >= 2


# Malformed feeds and sitemaps ---------------------------------------------------------------------------

def test_feed_crawl_finishes(feed_crawl: CrawlResult, site: HostileSite) -> None:
    assert "'finish_reason': 'finished'" in feed_crawl.log, feed_crawl.log[-3000:]
    others = [line for line in crashes(feed_crawl.log) if site.base_url + "/sitemap/corrupt.xml.gz" not in line]
    assert others == []


def test_corrupt_gzip_sitemap_does_not_crash(feed_crawl: CrawlResult, site: HostileSite) -> None:
    assert crashes(feed_crawl.log, site.base_url + "/sitemap/corrupt.xml.gz") == []


def test_articles_of_good_and_damaged_feeds_and_sitemaps_are_stored(feed_crawl: CrawlResult,
                                                                    site: HostileSite) -> None:
    stored = stored_paths(feed_crawl, site.base_url)
    # 3: good feed (and the feed with control characters); 4: before the cut of a truncated feed;
    # 5: good sitemap (and through the looping index); 6: before the cut of a truncated sitemap.
    assert {"/good/3.html", "/good/4.html", "/good/5.html", "/good/6.html"} <= stored, feed_crawl.log[-3000:]


@pytest.mark.parametrize(("path", "reason"), [
    ("/feed/garbage.xml", "bad_feed"), ("/feed/empty.xml", "bad_feed"), ("/feed/html.xml", "bad_feed"),
    ("/feed/binary.xml", "bad_feed"), ("/sitemap/garbage.xml", "bad_sitemap"), ("/sitemap/empty.xml", "bad_sitemap"),
    ("/sitemap/corrupt.xml.gz", "bad_sitemap"),
    ("/sitemap/binary.xml", "bad_sitemap"),
])
def test_each_bad_source_is_logged_and_counted(path: str, reason: str, feed_crawl: CrawlResult,
                                               site: HostileSite) -> None:
    naming = lines_naming(feed_crawl.log, site.base_url + path)
    assert any("No article from" in line for line in naming), "\n".join(naming) or "no line names the URL"
    assert feed_crawl.stats.get(f"articles/rejected/{reason}", 0) >= 1


FAILED_DOWNLOADS = ["/case/huge.html", "/case/huge-stream.html", "/case/stall.html", "/case/cut.html",
                    "/case/reset.html", "/case/drip.html"]


@pytest.mark.parametrize("path", FAILED_DOWNLOADS)
def test_failed_download_is_one_line_of_ours(path: str, generic_crawl: CrawlResult, site: HostileSite) -> None:
    """Wanted: "No article from URL: <exception>: <message>" and articles/failed/<exception>, no traceback."""
    url = site.base_url + path
    assert any(line for line in lines_naming(generic_crawl.log, url) if "No article from" in line)
    assert any(k.startswith("articles/failed/") for k in generic_crawl.stats)
    assert not any("Error downloading" in line for line in lines_naming(generic_crawl.log, url))
