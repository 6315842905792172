from __future__ import annotations

from datetime import datetime

from crawler.evaluation import body_score, date_match, title_match, tokens
from crawler.extract.article import SiteRules, extract_page, strip_title_suffix
from crawler.extract.dates import get_tz

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=get_tz("Asia/Shanghai"))
PAGE = """<html lang="zh-CN"><head><title>站点标题_某某新闻网</title>
<meta property="og:title" content="结构化标题_某某新闻网">
<meta property="article:published_time" content="2026-11-20T08:00:00+08:00">
<link rel="canonical" href="/a/1.html"></head>
<body><div class="crumb"><a>首页</a> &gt; <a>财经</a> &gt; 正文</div>
<h1 class="t">站点标题</h1><span class="d">2026-11-21 09:15</span><span class="src">来源：新华社</span>
<div id="body"><p>第一段正文内容，长度足够。</p><div class="share">分享到微博</div><p>第二段<b>正文</b>内容。</p>
<img data-src="/img/1.jpg"></div>
<a class="next" href="/a/1_2.html">下一页</a></body></html>"""


def test_site_selectors_win_and_each_field_records_its_layer() -> None:
    rules = SiteRules(title="h1.t", date="span.d", body="#body", source="span.src", category=".crumb a",
                      next_page="a.next", noise=(".share",))
    page = extract_page("https://news.example.com/a/1.html", PAGE, rules, NOW)
    assert page.title == "站点标题"
    assert page.published_at == "2026-11-21T09:15:00+08:00"
    assert page.source == "新华社"
    assert page.category == ["财经"]
    assert page.body == ["第一段正文内容，长度足够。", "第二段正文内容。"]
    assert page.images == ["https://news.example.com/img/1.jpg"]
    assert page.next_page == "https://news.example.com/a/1_2.html"
    assert page.canonical_url == "https://news.example.com/a/1.html"
    assert page.layers == {"title": "site", "published_at": "site", "source": "site", "category": "site",
                           "body": "site"}
    assert page.fallbacks() == []


def test_structured_then_generic_fill_what_the_site_does_not_declare() -> None:
    rules = SiteRules(body="#missing-container")
    page = extract_page("https://news.example.com/a/1.html", PAGE, rules, NOW)
    assert page.title == "结构化标题"
    assert page.published_at == "2026-11-20T08:00:00+08:00"
    assert page.layers["title"] == "structured" and page.layers["body"] == "generic"
    assert "body" in page.fallbacks()  # the site's body selector failed: counted as a fallback
    assert page.language == "zh-cn".split("-")[0]


def test_portal_suffixes_are_stripped_from_titles() -> None:
    assert strip_title_suffix("多地项目连环爆雷_网易新闻") == "多地项目连环爆雷"
    assert strip_title_suffix("标题 - 新华网") == "标题"
    assert strip_title_suffix("COVID-19 疫情进展") == "COVID-19 疫情进展"


def test_metric_follows_the_corpus_readme() -> None:
    assert tokens("Hello, 世界 abc123！") == ["hello", "世", "界", "abc123"]
    score = body_score("我们 是 a b", "我们 a c")
    assert round(score.precision, 3) == 0.6 and round(score.recall, 3) == 0.75
    assert title_match("《标题》 A", "标题a")
    assert date_match("2019-09-07T13:43:45+08:00", "2019-09-07 13:43") == (True, True)
    assert date_match("2019-09-07T13:44:45+08:00", "2019-09-07 13:43") == (True, False)
    assert date_match("2019-09-07T00:00:00+08:00", "2019-09-07") == (True, True)
