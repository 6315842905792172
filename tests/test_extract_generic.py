"""Tests for crawler.extract.generic on hand-written pages, plus a corpus floor when the corpus exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.evaluation import body_score
from crawler.extract.generic import extract_generic, generic_body

PARA1 = "今年以来，我市坚持稳中求进工作总基调，经济运行总体平稳，主要指标好于预期，发展质量不断提升。"
PARA2 = "市统计局负责人表示，下一步将继续加强监测分析，为全年目标任务的完成提供有力支撑和保障。"
PARA3 = "分析人士认为，消费市场持续回暖，投资结构不断优化，新动能加快成长，为经济发展注入了活力。"

PAGE = f"""<html><head><title>全市经济运行稳中向好_示例新闻网</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/sports">体育</a>
  | <a href="/ent">娱乐</a></div>
<div class="main">
  <h1>全市经济运行稳中向好</h1>
  <div class="info"><span class="time">2024-03-05 10:20:30</span> 来源：示例日报</div>
  <div class="article">
    <p>{PARA1}</p>
    <p><img src="/img/photo1.jpg" width="600"></p>
    <p>图为工业园区一角。</p>
    <div>{PARA2}<br>{PARA3.replace("新动能", "<strong>新动能</strong>")}</div>
    <p>（责任编辑：张三）</p>
    <p>延伸阅读</p>
    <ul><li><a href="/a/1">一季度消费数据出炉，同比增长明显</a></li>
        <li><a href="/a/2">多地出台措施促进投资，项目建设提速</a></li></ul>
  </div>
  <div class="related"><h3>相关新闻</h3><ul>
    <li><a href="/a/3">外贸进出口总额创历史新高</a></li><li><a href="/a/4">就业形势总体稳定</a></li></ul></div>
</div>
<div class="footer">版权所有 © 2024 示例新闻网 未经授权不得转载 <a href="/about">关于我们</a></div>
</body></html>"""


def test_body_paragraphs_blocks_and_br():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.body == [PARA1, "图为工业园区一角。", PARA2, PARA3]


def test_images_are_absolute():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.images == ["https://news.example.com/img/photo1.jpg"]


def test_title_and_date_text():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.title == "全市经济运行稳中向好"
    assert article.date_text is not None and "2024-03-05 10:20:30" in article.date_text


@pytest.mark.parametrize(
    ("page_title", "expected"),
    [
        ("港股收涨1% 科技股领涨 - 网易新闻", "港股收涨1% 科技股领涨"),
        ("港股收涨1% 科技股领涨_新浪网", "港股收涨1% 科技股领涨"),
        ("港股收涨1% 科技股领涨 | 示例财经", "港股收涨1% 科技股领涨"),
    ],
)
def test_title_without_h1_strips_site_suffix(page_title: str, expected: str):
    html = f"<html><head><title>{page_title}</title></head><body><div><p>{PARA1}</p><p>{PARA2}</p></div></body></html>"
    assert extract_generic(html, "https://example.com/").title == expected


def test_generic_body_accepts_lxml_root_and_selector_without_changing_them():
    root = lxml.html.document_fromstring(PAGE)
    before = lxml.html.tostring(root)
    body, images = generic_body(root, "https://news.example.com/a.html")
    assert body[0] == PARA1 and images == ["https://news.example.com/img/photo1.jpg"]
    assert lxml.html.tostring(root) == before
    assert generic_body(Selector(text=PAGE), "https://news.example.com/a.html") == (body, images)


def test_empty_page():
    article = extract_generic("<html><body></body></html>", "https://example.com/")
    assert article.body == [] and article.images == []


CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "generic"
_WRAPPER = re.compile(rb'<text id="([^"]*)"[^>]*?encoding="([^"]*)"')


@pytest.mark.skipif(not CORPUS.is_dir(), reason="real-page corpus not present")
def test_corpus_mean_body_f1_floor():
    scores = []
    for label in sorted(CORPUS.glob("*/*.json")):
        data = json.loads(label.read_text(encoding="utf-8"))
        expected = (data.get("expected") or {}).get("body") or ""
        if not expected.strip():
            continue
        raw = label.with_suffix(".html").read_bytes()
        url, headers = data.get("url") or "http://example.com/", {}
        wrapper = _WRAPPER.match(raw)
        if wrapper and wrapper.group(2) not in (b"unset", b""):
            headers["Content-Type"] = "text/html; charset=" + wrapper.group(2).decode("ascii")
        html = HtmlResponse(url, body=raw, headers=headers).text
        scores.append(body_score("\n".join(extract_generic(html, url).body), expected).f1)
    assert scores
    assert sum(scores) / len(scores) >= 0.95
