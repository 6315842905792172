# ruff: noqa: E501 - vocabulary lists stay one line each
"""A local news site on 127.0.0.1 for crawl tests: list pages and distinct Chinese articles.

    from tests.localsite import start_site
    base_url, stop = start_site(pages=500)
    ...  # scrapy crawl generic -a start_urls={base_url}/ -a allow=/article/
    stop()

Layout: ``/`` links every list page ``/list/<k>``; each list page links ``per_list``
articles ``/article/<i>.html`` (i from 0 to ``pages - 1``), with a tracking-parameter
variant of some links (``?utm_source=…``) when ``tracking_links`` is set. An article page
has a ``<title>``, ``<h1>``, JSON-LD ``NewsArticle`` (headline, datePublished, author) and
a body of distinct realistic Chinese paragraphs (``article_body(i)``). Extra pages:

- ``copies``: mapping ``path -> (i, kind)`` serving article ``i`` again under another URL
  (use a path under ``/article/`` so the generic spider's ``allow`` matches);
  ``kind`` is ``exact`` (same body), ``editor`` (an editor line added) or ``edited``
  (5% of characters changed); they are linked from the last list page.
- ``delay``: seconds each article response waits (so a crawl can be killed mid-way).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PLACES = ["北京", "上海", "广州", "深圳", "成都", "重庆", "武汉", "西安", "南京", "杭州", "长沙", "郑州", "昆明", "哈尔滨",
          "沈阳", "青岛", "厦门", "贵阳", "兰州", "乌鲁木齐", "拉萨", "南宁", "合肥", "福州", "济南", "太原", "石家庄", "呼和浩特"]
ORGS = ["市发展改革委", "省教育厅", "市卫生健康委", "省交通运输厅", "市生态环境局", "省农业农村厅", "市科技局", "省商务厅",
        "市文化和旅游局", "省住房城乡建设厅", "市人力资源社会保障局", "省工业和信息化厅", "市应急管理局", "省水利厅"]
TOPICS = ["新能源汽车", "乡村振兴", "人工智能", "老旧小区改造", "职业教育", "生物医药", "跨境电商", "冰雪旅游", "智慧农业",
          "半导体产业", "城市更新", "养老服务", "数字政务", "低空经济", "文物保护", "海洋牧场", "氢能产业", "种业振兴"]
PEOPLE = ["王建国", "李晓燕", "张志强", "刘海涛", "陈静", "杨帆", "赵立新", "黄美玲", "周文斌", "吴晓东", "徐丽华", "孙国庆"]
CLAUSES = [
    "{place}{org}日前发布消息，今年以来全市{topic}项目累计完成投资{n1}亿元，同比增长{p1}%",
    "据{org}负责人{person}介绍，{place}已建成{topic}示范点{n2}个，覆盖群众{n3}万人",
    "记者在{place}采访时看到，{topic}相关企业的生产线正在满负荷运转，订单已排到{month}月",
    "{person}表示，下一步将围绕{topic}出台{n2}项配套措施，重点解决资金、用地和人才等难题",
    "数据显示，{place}{topic}领域今年新增市场主体{n3}家，带动就业{n1}万余人",
    "{org}联合多部门开展专项行动，共排查隐患{n3}处，整改完成率达{p2}%",
    "业内人士分析认为，{topic}的快速发展得益于政策支持和市场需求的双重拉动",
    "{place}还将在{month}月底前启动第{n2}批{topic}试点，申报工作已于近日开始",
    "“我们最关心的是{topic}能不能真正惠及普通百姓。”{place}市民{person}对记者说",
    "截至{month}月底，{place}{topic}相关贷款余额达到{n1}亿元，较年初增加{p1}个百分点",
    "在{place}的一家{topic}企业，技术人员正在调试新上线的设备，日产能提升约{p2}%",
    "{org}要求各区县压实属地责任，确保{topic}各项任务在{month}月前全面落地",
    "专家{person}建议，{place}应加快补齐{topic}产业链短板，培育一批龙头企业",
    "据悉，{place}今年计划安排{topic}专项资金{n1}亿元，比上年增加{n2}亿元",
    "为方便群众办事，{org}在{place}设立{n2}个服务窗口，实现{topic}事项“一次办成”",
    "{place}某社区居民{person}说，过去{topic}相关手续要跑好几趟，现在手机上就能办",
]


def article_body(i: int, paragraphs: int = 5) -> str:
    """A distinct, realistic Chinese news body for article ``i`` (deterministic)."""
    rng = random.Random(i * 7919 + 17)

    def clause() -> str:
        return rng.choice(CLAUSES).format(
            place=rng.choice(PLACES), org=rng.choice(ORGS), topic=rng.choice(TOPICS), person=rng.choice(PEOPLE),
            n1=rng.randint(2, 980), n2=rng.randint(2, 60), n3=rng.randint(100, 99999), p1=rng.randint(2, 45),
            p2=rng.randint(60, 99), month=rng.randint(1, 12))

    return "\n".join("，".join(clause() for _ in range(rng.randint(2, 3))) + "。" for _ in range(paragraphs))


def article_title(i: int) -> str:
    rng = random.Random(i)
    return f"{rng.choice(PLACES)}{rng.choice(TOPICS)}发展取得新进展（第{i}期）"


def _variant(body: str, kind: str) -> str:
    if kind == "editor":
        return body + "\n（责任编辑：张伟）"
    if kind == "edited":
        rng = random.Random(len(body))
        chars = list(body)
        positions = [k for k, c in enumerate(chars) if c != "\n"]
        for k in rng.sample(positions, round(len(positions) * 0.05)):
            chars[k] = rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过")
        return "".join(chars)
    return body


def article_html(i: int, body: str, path: str) -> str:
    title = article_title(i)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": f"2026-03-{1 + i % 28:02d}T{8 + i % 12:02d}:30:00+08:00",
          "author": {"@type": "Person", "name": PEOPLE[i % len(PEOPLE)]}}
    paras = "".join(f"<p>{line}</p>" for line in body.split("\n"))
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}_本地新闻网</title>"
            f"<script type='application/ld+json'>{json.dumps(ld, ensure_ascii=False)}</script></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><article><h1>{title}</h1>"
            f"<div class='content'>{paras}</div></article>"
            f"<div class='footer'>本地新闻网 版权所有</div></body></html>")


class LocalSite:
    """A running site; ``pages`` may be changed while it runs (the site grows between two crawls)."""

    def __init__(self, pages: int, per_list: int, delay: float, copies: dict[str, tuple[int, str]],
                 tracking_links: bool) -> None:
        self.pages, self.per_list, self.delay, self.copies = pages, per_list, delay, copies
        self.tracking_links = tracking_links
        self.base_url = ""
        self.stop: Callable[[], None] = lambda: None

    @property
    def lists(self) -> int:
        return max(1, -(-self.pages // self.per_list))


def start_site(pages: int = 500, per_list: int = 50, delay: float = 0.0,
               copies: Mapping[str, tuple[int, str]] | None = None, tracking_links: bool = False,
               ) -> tuple[str, Callable[[], None]]:
    """Serve the site on 127.0.0.1 (a free port) in a thread; returns ``(base_url, stop)``."""
    site = serve_site(pages, per_list, delay, copies, tracking_links)
    return site.base_url, site.stop


def serve_site(pages: int = 500, per_list: int = 50, delay: float = 0.0,
               copies: Mapping[str, tuple[int, str]] | None = None, tracking_links: bool = False) -> LocalSite:
    """Like ``start_site``, returning the ``LocalSite`` (``.base_url``, ``.stop()``, mutable ``.pages``)."""
    site = LocalSite(pages, per_list, delay, dict(copies or {}), tracking_links)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            pages, per_list, lists, copies, delay = site.pages, site.per_list, site.lists, site.copies, site.delay
            if path == "/":
                links = "".join(f"<li><a href='/list/{k}'>第{k}页</a></li>" for k in range(1, lists + 1))
                return self._send(f"<html><head><meta charset='utf-8'><title>本地新闻网</title></head>"
                                  f"<body><ul>{links}</ul></body></html>")
            if path.startswith("/list/"):
                k = int(path.rsplit("/", 1)[1] or 0)
                if not 1 <= k <= lists:
                    return self._send("not found", 404)
                items = []
                for i in range((k - 1) * per_list, min(pages, k * per_list)):
                    query = f"?utm_source=list&spm=a{k}" if site.tracking_links and i % 3 == 0 else ""
                    items.append(f"<li><a href='/article/{i}.html{query}'>{article_title(i)}</a></li>")
                if k == lists:
                    items += [f"<li><a href='{p}'>{article_title(i)}</a></li>" for p, (i, _) in copies.items()]
                return self._send(f"<html><head><meta charset='utf-8'><title>列表{k}</title></head>"
                                  f"<body><ul>{''.join(items)}</ul></body></html>")
            if delay:
                time.sleep(delay)
            if path in copies:
                i, kind = copies[path]
                return self._send(article_html(i, _variant(article_body(i), kind), path))
            if path.startswith("/article/") and path.endswith(".html"):
                try:
                    i = int(path[len("/article/"):-len(".html")])
                except ValueError:
                    i = -1
                if 0 <= i < pages:
                    return self._send(article_html(i, article_body(i), path))
            return self._send("not found", 404)

        def _send(self, html: str, status: int = 200) -> None:
            data = html.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a killed crawler leaves broken pipes: expected, not worth a traceback

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    site.base_url, site.stop = f"http://127.0.0.1:{server.server_address[1]}", stop
    return site


# Running `scrapy crawl` against the site --------------------------------------------------

STATE_COMPONENTS = {
    "ITEM_PIPELINES": {
        "crawler.pipelines.validate_article.ValidateArticlePipeline": 400,
        "crawler.pipelines.deduplicate_articles.DeduplicateArticlesPipeline": 500,
        "crawler.pipelines.store_jsonl.StoreJsonlPipeline": 900,
    },
    "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.incremental.IncrementalMiddleware": 80},
    "SPIDER_MIDDLEWARES": {"crawler.extensions.storage_guard.StorageGuardMiddleware": 30,
                           "crawler.middlewares.pending.PendingArticlesMiddleware": 40},
    "EXTENSIONS": {"crawler.extensions.stats_file.StatsFileExtension": 500,
                   "crawler.extensions.storage_guard.StorageGuard": 100,
                   "crawler.extensions.spider_errors.SpiderErrors": 100,
                   "crawler.extensions.monitoring.Monitoring": 400},
}


def crawl_command(base_url: str, data_dir: str | Path, *extra: str, spider: str = "generic",
                  components: Mapping[str, object] | None = None) -> list[str]:
    """``scrapy crawl generic`` over the local site, with the state components, into ``data_dir``.

    Stats land in ``data_dir/stats.json`` (StatsFileExtension). ``extra`` are more arguments
    (``-a full=1``, ``-s NAME=VALUE``).
    """
    root = Path(__file__).resolve().parent.parent
    args = [str(root / ".venv/bin/scrapy"), "crawl", spider, "-a", f"start_urls={base_url}/", "-a", "allow=/article/",
            "-a", "depth=2"]
    settings: dict[str, object] = {
        "ROBOTSTXT_OBEY": "False", "AUTOTHROTTLE_ENABLED": "False", "DATA_DIR": str(data_dir),
        "STATS_FILE": str(Path(data_dir) / "stats.json"), "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        **{k: json.dumps(v) for k, v in (components or STATE_COMPONENTS).items()},
    }
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return [*args, *extra]
