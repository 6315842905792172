from __future__ import annotations

from datetime import datetime

import pytest
from parsel import Selector

from crawler.evaluation import body_score, date_match, title_match, tokens
from crawler.extract.article import FIELDS, SOURCES, Page, SiteRules, extract_page, strip_title_suffix
from crawler.extract.dates import get_tz

TZ = get_tz("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=TZ)
URL = "https://news.example.com/a/1.html"
PAGE = """<html lang="zh-CN"><head><title>站点标题_某某新闻网</title>
<meta property="og:title" content="结构化标题_某某新闻网">
<meta property="article:published_time" content="2026-11-20T08:00:00+08:00">
<meta name="author" content="某某新闻网">
<link rel="canonical" href="/a/1.html"></head>
<body><div class="crumb"><a>首页</a> &gt; <a>财经</a> &gt; 正文</div>
<h1 class="t">站点标题</h1><span class="d">2026-11-21 09:15</span><span class="src">来源：新华社</span>
<div id="body"><p>第一段正文内容，长度足够。</p><div class="share">分享到微博</div><p>第二段<b>正文</b>内容。</p>
<img data-src="/img/1.jpg"><div class="ed">责任编辑：王五</div></div>
<a class="next" href="/a/1_2.html">下一页</a></body></html>"""
SITE = {"title": "h1.t", "published_at": "span.d", "body": "#body", "source": "span.src", "category": ".crumb a",
        "next_page": "a.next"}


def test_every_field_has_a_source_for_each_name_it_lists() -> None:
    for name, sources in FIELDS.items():
        assert set(sources) <= set(SOURCES[name]), name


def test_site_selectors_win_and_each_field_records_its_source() -> None:
    page = extract_page(URL, PAGE, SiteRules(selectors=SITE, noise=(".share", ".ed")), NOW)
    assert page.title == "站点标题"
    assert page.published_at == datetime(2026, 11, 21, 9, 15, tzinfo=TZ)
    assert page.source == "新华社"
    assert page.category == ["财经"]
    assert page.body == ["第一段正文内容，长度足够。", "第二段正文内容。"]
    assert page.images == ["https://news.example.com/img/1.jpg"]
    assert page.next_page == "https://news.example.com/a/1_2.html"
    assert page.canonical_url == URL
    assert page.extra == {"editor": "王五"}  # read from the noise element before it went
    assert page.authors == []  # the meta author is the portal (its title suffix names it)
    assert page.layers == {"title": "site", "published_at": "site", "source": "site", "category": "site",
                           "body": "site", "canonical_url": "structured", "editor": "byline"}
    assert page.fallbacks() == []


def test_structured_then_generic_fill_what_the_site_misses() -> None:
    page = extract_page(URL, PAGE, SiteRules(selectors={"body": "#missing-container"}), NOW)
    assert page.title == "结构化标题"
    assert page.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=TZ)
    assert page.layers["title"] == "structured" and page.layers["body"] == "generic"
    assert "body" in page.fallbacks()  # the site's body selector failed: counted as a fallback
    assert page.language == "zh"


def test_a_site_reorders_ignores_and_refuses_sources() -> None:
    rules = SiteRules(selectors=SITE, order={"published_at": ("structured", "site")}, ignore_structured={"title"})
    page = extract_page(URL, PAGE, rules, NOW)
    assert page.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=TZ) and page.layers["published_at"] == "structured"
    page = extract_page(URL, PAGE, SiteRules(selectors={"body": "#missing"}, ignore_structured=frozenset({"title"}),
                                             generic_body=False), NOW)
    assert page.body == [] and page.layers.get("title") == "generic"
    with pytest.raises(ValueError, match="unknown fields"):
        SiteRules(selectors={"date": "span.d"})


def test_a_site_source_is_a_function_of_the_page() -> None:
    rules = SiteRules(selectors=SITE, sources={"title": {"own": lambda ctx: "自己的标题"}},
                      order={"title": ("own", "site")})
    page = extract_page(URL, PAGE, rules, NOW)
    assert page.title == "自己的标题" and page.layers["title"] == "own"


def test_extraction_leaves_the_callers_selector_unchanged() -> None:
    sel = Selector(text=PAGE)
    before = sel.get()
    extract_page(URL, sel, SiteRules(selectors=SITE, noise=(".share", "//div[@class='ed']")), NOW)
    extract_page(URL, sel, SiteRules(selectors={"body": "#missing"}, noise=(".share",)), NOW)
    assert sel.get() == before


def test_script_variables_are_a_structured_date_source() -> None:
    html = """<html><body><div id="js_content"><p>正文内容足够长的一段文字。</p></div>
    <em id="publish_time"></em><script>var nickname = "某号"; var ct = "1581517074";
    var publish_time = "2020-02-12" || "";</script></body></html>"""
    page = extract_page("https://mp.weixin.qq.com/s/abc", html,
                        SiteRules(selectors={"published_at": "#publish_time", "body": "#js_content"}), NOW)
    assert page.published_at == datetime(2020, 2, 12, 22, 17, 54, tzinfo=TZ)
    assert page.layers["published_at"] == "structured"


def test_discard_forgets_a_field() -> None:
    page = Page(url=URL, authors=["x"], source="y", layers={"authors": "site", "source": "site"})
    page.discard("authors")
    page.discard("source")
    assert page.authors == [] and page.source is None and page.layers == {}


def test_portal_suffixes_are_stripped_from_titles() -> None:
    assert strip_title_suffix("多地项目连环爆雷_网易新闻") == "多地项目连环爆雷"
    assert strip_title_suffix("标题 - 新华网") == "标题"
    assert strip_title_suffix("COVID-19 疫情进展") == "COVID-19 疫情进展"
    assert strip_title_suffix("乡村振兴一线见闻_澎湃号·政务_澎湃新闻-The Paper") == "乡村振兴一线见闻"
    assert strip_title_suffix("标题：副标题_某站", headings=["标题：副标题"]) == "标题：副标题"
    assert strip_title_suffix("一个标题 | 晨报", site_names=["晨报"]) == "一个标题"
    assert strip_title_suffix("新冠疫苗 - 第三期试验") == "新冠疫苗 - 第三期试验"


def test_metric_follows_the_corpus_readme() -> None:
    assert tokens("Hello, 世界 abc123！") == ["hello", "世", "界", "abc123"]
    score = body_score("我们 是 a b", "我们 a c")
    assert round(score.precision, 3) == 0.6 and round(score.recall, 3) == 0.75
    assert title_match("《标题》 A", "标题a")
    assert date_match("2019-09-07T13:43:45+08:00", "2019-09-07 13:43") == (True, True)
    assert date_match("2019-09-07T13:44:45+08:00", "2019-09-07 13:43") == (True, False)
    assert date_match("2019-09-07T00:00:00+08:00", "2019-09-07") == (True, True)


def test_a_page_whose_title_never_closes_gets_its_title_and_body() -> None:
    line = "段正文，记者从市交通局获悉，新开通的公交线路运行平稳，沿线居民出行更加方便。"
    body = "".join(f"<p>第{i}{line}</p>" for i in range(4))
    page = (f"<html><head><title>新公交线路开通_某某新闻网\n<script>var x = 1;</script><meta name='k' content='v'>"
            f"</head><body><h1>新公交线路开通</h1><div class='content'>{body}</div></body></html>")
    sel = Selector(text=page)
    before = sel.get()
    out = extract_page(URL, sel, SiteRules(), NOW)
    assert out.title == "新公交线路开通" and len(out.body) == 4 and out.body[0].startswith("第0段正文")
    assert sel.get() == before


def test_a_plain_date_meta_is_structured_data() -> None:
    # <meta name="date"> comes before the byline layer, which would read a dated reader comment in the body
    html = ('<html lang="en"><head><title>Behind the scenes</title><meta name="date" content="Jul. 06, 2004"></head>'
            '<body><h1>Behind the scenes</h1><div class="story"><p>' + "The desktop project began as a side project. "
            * 8 + '</p><p>Novel but nova<br>2004-09-16 21:49:53 ricahrdc</p></div></body></html>')
    page = extract_page("https://today.example.net/pub/a/3ddesktop.html", html, SiteRules(page_timezone=True), NOW)
    assert page.published_at is not None and page.published_at.date().isoformat() == "2004-07-06"
    assert page.layers["published_at"] == "structured"


@pytest.mark.parametrize("byline, expected", [
    ("2022年02月13日07:48 | 来源：新华日报", datetime(2022, 2, 13, 7, 48, tzinfo=TZ)),  # the same day: its time
    ("2022年02月12日23:10 | 来源：新华日报", datetime(2022, 2, 13, tzinfo=TZ)),  # another day: the metadata's day
])
def test_a_day_without_time_of_day_takes_the_bylines_time_on_that_day(byline: str, expected: datetime) -> None:
    html = ('<html><head><title>开学防控</title><meta name="publishdate" content="2022-02-13"></head><body>'
            f'<h1>春季学期开学</h1><div class="date">{byline}</div><div class="text">'
            + "<p>江苏多地日前发布通知，部署春季学期开学师生返校和疫情防控工作，各地均提出要求。</p>" * 5
            + "</div></body></html>")
    page = extract_page(URL, html, SiteRules(), NOW)
    assert page.published_at == expected
    assert page.layers["published_at"] == "structured"


def test_a_meta_title_cut_at_an_unescaped_quote_is_read_whole_from_the_heading() -> None:
    html = ('<html><head><title>男孩因不想上补习班 写"救命啊"纸团抛出引来警察_某某新闻</title>'
            '<meta property="og:title" content="男孩因不想上补习班 写"救命啊"纸团抛出引来警察"></head><body>'
            '<h1>男孩因不想上补习班 写"救命啊"纸团抛出引来警察</h1><div class="text">'
            + "<p>近日，一名男孩因为不想上补习班，在纸团上写下求救字样抛出窗外，路人拾到后报警。</p>" * 4
            + "</div></body></html>")
    page = extract_page(URL, html, SiteRules(), NOW)
    assert page.title == '男孩因不想上补习班 写"救命啊"纸团抛出引来警察'
    assert page.layers["title"] == "structured"


def test_the_metadata_title_gives_way_to_the_heading_at_one_end_of_it() -> None:
    story = "".join(f"<p>{text} The ferry crossed the river twice a day for forty years before the repairs.</p>"
                    for text in ("The ferry returns on Monday.", "Timetables are unchanged.", "Tickets stay valid."))
    html = ("<html><head><title>The harbour ferry returns - Field Notes</title><meta property='og:title' "
            "content='The harbour ferry returns - Field Notes'></head><body><h1><a href='https://notes.example.org/'>"
            f"Field Notes</a></h1><div class='post'><h3>The harbour ferry returns</h3>{story}</div></body></html>")
    page = extract_page("https://notes.example.org/2026/11/ferry.html", html, SiteRules(), NOW)
    assert page.title == "The harbour ferry returns" and page.layers["title"] == "structured"
