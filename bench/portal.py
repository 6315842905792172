"""A generated news portal on disk, served by Debian's nginx on 127.0.0.1, for the crawl benchmarks.

``build_portal(root, articles, min_kb, max_kb)`` writes ``/list/1.html`` (an index of list pages),
``/list/<n>.html`` (100 article links each) and ``/a/<i>.html`` (articles of ``min_kb``-``max_kb`` KB:
a head with meta tags, a JSON-LD block and an inline script, a navigation bar, the Chinese body
with a date, a related-articles box and a footer). ``Nginx(root)`` runs ``nginx -g 'daemon off;'``
on a free port as a child process. A crawl with ``depth=2`` and ``allow=/a/`` reaches every article.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

PER_LIST = 100
# Common characters of news Chinese; words are drawn from them so the text has the byte
# size and the character mix of a real body (3 bytes a character in UTF-8).
_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应"
    "开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
    "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求"
    "老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光"
    "门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速"
    "花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需"
    "段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感"
)
_NAV = ["首页", "国内", "国际", "财经", "科技", "体育", "娱乐", "军事", "社会", "健康", "教育", "汽车", "房产", "时尚"]


def _sentence(rng: random.Random) -> str:
    parts = ["".join(rng.choices(_CHARS, k=rng.randint(4, 14))) for _ in range(rng.randint(2, 4))]
    return "，".join(parts) + "。"


def _paragraph(rng: random.Random) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(3, 7)))


def _script(rng: random.Random, size: int) -> str:
    """An inline script of about ``size`` bytes (ad and tracking code, as portals have)."""
    chunks, total = [], 0
    while total < size:
        name = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8))
        line = (f'var {name}={{"id":{rng.randint(1, 10**9)},"slot":"{name}_{rng.randint(1, 99)}",'
                f'"w":{rng.randint(100, 900)},"h":{rng.randint(50, 600)}}};'
                f'window.__ads=(window.__ads||[]).concat([{name}]);\n')
        chunks.append(line)
        total += len(line)
    return "".join(chunks)


def article_page(i: int, articles: int, rng: random.Random, min_kb: int, max_kb: int) -> bytes:
    target = rng.randint(min_kb * 1024, max_kb * 1024)
    day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    title = "".join(rng.choices(_CHARS, k=rng.randint(12, 24)))
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(6, 18))]
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"{day}T{clock}+08:00", "author": {"@type": "Person", "name": "本报记者"},
                     "publisher": {"@type": "Organization", "name": "基准新闻网"}}, ensure_ascii=False)
    nav = "".join(f'<li><a href="/list/{k % 50 + 2}.html">{name}</a></li>' for k, name in enumerate(_NAV))
    related = "".join(
        f'<li><a href="/a/{rng.randrange(articles)}.html">{"".join(rng.choices(_CHARS, k=16))}</a></li>'
        for _ in range(10))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_基准新闻网</title>'
            f'<meta name="keywords" content="{title[:6]},{title[6:12]}">'
            f'<meta property="article:published_time" content="{day}T{clock}+08:00">'
            f'<link rel="canonical" href="/a/{i}.html">'
            f'<script type="application/ld+json">{ld}</script>'
            '<link rel="stylesheet" href="/static/site.css">')
    top = (f'<body><div class="header"><div class="logo"><a href="/list/1.html">基准新闻网</a></div>'
           f'<ul class="nav">{nav}</ul></div><div class="main"><div class="article">'
           f'<h1 class="title">{title}</h1><div class="info"><span class="time">{day} {clock}</span>'
           f'<span class="source">来源：基准新闻网</span></div><div class="content">{body}'
           '<p class="editor">责任编辑：王小明</p></div></div>'
           f'<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div></div>'
           '<div class="footer"><p>关于我们 | 联系我们 | 广告服务 | 网站地图</p>'
           '<p>Copyright © 2026 基准新闻网 版权所有</p></div>')
    filler = max(0, target - len(head.encode()) - len(top.encode()) - 40)
    script = f"<script>{_script(rng, filler)}</script>" if filler else ""
    return f"{head}{script}</head>{top}</body></html>".encode()


def list_page(n: int, ids: range) -> bytes:
    links = "".join(f'<li><a href="/a/{i}.html">第{i}号新闻</a></li>' for i in ids)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>列表 {n}</title></head>'
            f'<body><ul class="list">{links}</ul></body></html>').encode()


def build_portal(root: Path, articles: int, min_kb: int = 30, max_kb: int = 100, seed: int = 7) -> int:
    """Writes the portal under ``root``; returns the total bytes of article pages."""
    rng = random.Random(seed)
    (root / "a").mkdir(parents=True, exist_ok=True)
    (root / "list").mkdir(parents=True, exist_ok=True)
    lists = (articles + PER_LIST - 1) // PER_LIST
    index = "".join(f'<li><a href="/list/{n}.html">第{n}页</a></li>' for n in range(2, lists + 2))
    (root / "list" / "1.html").write_bytes(
        f'<html><head><meta charset="utf-8"><title>索引</title></head><body><ul>{index}</ul></body></html>'.encode())
    for n in range(lists):
        ids = range(n * PER_LIST, min(articles, (n + 1) * PER_LIST))
        (root / "list" / f"{n + 2}.html").write_bytes(list_page(n + 2, ids))
    total = 0
    for i in range(articles):
        page = article_page(i, articles, rng, min_kb, max_kb)
        total += len(page)
        (root / "a" / f"{i}.html").write_bytes(page)
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    """``nginx -g 'daemon off;'`` serving ``root`` on 127.0.0.1:<free port>; a context manager."""

    def __init__(self, root: Path, workdir: Path) -> None:
        self.root, self.workdir = root, workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("nginx is not installed: apt-get install -y nginx (make bench does it)")
        work = self.workdir
        for sub in ("client", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
            (work / sub).mkdir(parents=True, exist_ok=True)
        conf = work / "nginx.conf"
        conf.write_text(f"""
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; text/css css; }}
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {work}/client;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
    }}
}}
""")
        self.proc = subprocess.Popen([binary, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"nginx exited: see {work}/logs/error.log") from None
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
