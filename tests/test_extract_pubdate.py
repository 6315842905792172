"""Publication dates of pages without site rules (crawler.extract.pubdate)."""

from __future__ import annotations

from datetime import datetime

import lxml.html
from parsel import Selector

from crawler.extract.dates import get_tz, to_iso
from crawler.extract.generic import extract_generic
from crawler.extract.pubdate import page_locale, publication_date

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=get_tz("Asia/Shanghai"))
PARA = "今年以来，我市坚持稳中求进工作总基调，经济运行总体平稳，主要指标好于预期，发展质量不断提升，各项工作有序推进。"


def page(article_head: str, sidebar: str = "", lang: str = "zh-CN", head: str = "") -> str:
    return f"""<html lang="{lang}"><head><title>全市经济运行稳中向好_示例新闻网</title>{head}</head><body>
<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>
<div class="main"><h1>全市经济运行稳中向好</h1>{article_head}
<div class="article"><p>{PARA}</p><p>{PARA[::-1]}</p><p>{PARA[3:]}{PARA[:3]}</p></div></div>
<div class="sidebar">{sidebar}</div></body></html>"""


def date_of(html: str, url: str = "https://news.example.com/a.html", tz: str = "Asia/Shanghai") -> str | None:
    root = lxml.html.document_fromstring(html)
    return to_iso(publication_date(root, url, tz, NOW, extract_generic(root, url)))


def test_structured_microdata_comes_first():
    html = page('<div class="info">2024-03-05 10:20</div>', head='<meta itemprop="datePublished" content="2024-03-04">')
    assert date_of(html) == "2024-03-04T00:00:00+08:00"


def test_time_element_of_the_article_but_not_of_a_sidebar_or_teaser_list():
    sidebar = ('<ul class="list"><li><a href="/b">另一篇</a>'
               '<time datetime="2024-02-07T08:00:00+08:00">2月7日</time></li></ul>')
    assert date_of(page("", sidebar)) is None
    html = page('<time class="published" datetime="2024-03-05T10:20:00+08:00">3月5日</time>', sidebar)
    assert date_of(html) == "2024-03-05T10:20:00+08:00"


def test_shown_time_beats_a_day_only_attribute():
    html = page('<time pubdate datetime="2017-11-13">建立時間：2016/05/21 11:44</time>')
    assert date_of(html) == "2016-05-21T11:44:00+08:00"


def test_byline_window_between_headline_and_body():
    html = page('<div class="info"><span>2024-03-05 10:20:30</span> 来源：示例日报</div>')
    assert date_of(html) == "2024-03-05T10:20:30+08:00"


def test_byline_under_the_heading_nearest_the_body_when_the_title_is_the_site_name():
    """<title> and the logo say only the site's name; twenty menu and share links stand between the logo
    and the article's <h2>, whose byline line dates it. The URL's day would give midnight."""
    menu = "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(20))
    html = f"""<html><head><title>示例网</title></head><body><div class="logo">示例网</div><ul>{menu}</ul>
<div class="content"><h2>全市经济运行稳中向好</h2><div><span>2022-02-13 09:57</span> 光明网</div>
<div class="share"><a href="#">微博</a> <a href="#">微信</a></div>
<div class="article"><p>{PARA}</p><p>{PARA[::-1]}</p><p>{PARA[3:]}{PARA[:3]}</p></div></div></body></html>"""
    assert date_of(html, "https://news.example.com/2022/02/13/t20220213_1.html") == "2022-02-13T09:57:00+08:00"


def test_relative_byline_date_is_anchored_to_the_crawl_time():
    assert date_of(page('<div class="info">3小时前 来源：新华社</div>')) == "2026-11-25T09:00:00+08:00"
    assert date_of(page('<p class="byline">Updated 2 hours ago</p>', lang="en")) == "2026-11-25T10:00:00+08:00"


def test_numeric_slash_dates_follow_the_page_locale():
    assert date_of(page('<p class="byline">Posted 05/03/2024 by Ann</p>', lang="en-GB"), tz="Europe/London") \
        == "2024-03-05T00:00:00+00:00"
    assert date_of(page('<p class="byline">Posted 05/03/2024 by Ann</p>', lang="en-US"), tz="America/New_York") \
        == "2024-05-03T00:00:00-04:00"
    assert date_of(page('<p class="byline">Posted 25/03/2024 by Ann</p>', lang="en-US"), tz="America/New_York") \
        == "2024-03-25T00:00:00-04:00"  # no 25th month: the day comes first whatever the locale says
    # dots are the day-first style: "Created: 12.04.2004 21:17" on an English page is the 12th of April
    assert date_of(page('<p class="date">Created: 12.04.2004 21:17</p>', lang="en"), tz="UTC") \
        == "2004-04-12T21:17:00+00:00"


def test_archive_widget_and_sidebar_dates_are_never_the_date():
    sidebar = ('<h3>归档</h3><ul><li><a href="/2006/12/">2006年12月 (5)</a></li>'
               '<li><a href="/2006/11/">2006年11月 (9)</a></li></ul><div class="widget">创建于 2005-07-01</div>')
    assert date_of(page("", sidebar)) is None


def test_a_byline_date_with_a_month_name_of_another_language():
    html = page('<p class="post-byline">29. Juni 2017, 23:39 · Kommentare</p>', lang="de")
    assert date_of(html, tz="Europe/Berlin") == "2017-06-29T23:39:00+02:00"
    assert date_of(page('<p class="byline">Publié le 5 août 2019</p>', lang="fr"), tz="Europe/Paris") \
        == "2019-08-05T00:00:00+02:00"


def test_a_blog_dates_its_post_inside_the_permalink():
    # WordPress: "Posted on <a href=PERMALINK rel=bookmark><time ...>"; a dated caption opens the body
    posted = ('<div class="entry-meta">Posted on <a href="{href}"{rel}><time class="entry-date published" '
              'datetime="2016-04-15T08:12:12+02:00">15. April 2016</time></a></div>'
              '<p><em>Aufnahme vom 26.05.2015</em></p>')
    url = "https://www.example.ch/2016-04-15/story/"
    assert date_of(page(posted.format(href=url, rel=' rel="bookmark"'), lang="de"), url=url, tz="Europe/Zurich") \
        == "2016-04-15T08:12:12+02:00"
    assert date_of(page(posted.format(href="/2016-04-15/story", rel=""), lang="de"), url=url, tz="Europe/Zurich") \
        == "2016-04-15T08:12:12+02:00"
    # a <time> in a link to another page is that page's date
    other = posted.format(href="https://www.example.ch/2016-03-20/older/", rel="")
    assert date_of(page(other, lang="de"), url=url, tz="Europe/Zurich") != "2016-04-15T08:12:12+02:00"


def test_htmldate_reads_the_url_when_the_page_prints_nothing():
    assert date_of(page(""), url="https://news.example.com/2024/03/05/story.html") == "2024-03-05T00:00:00+08:00"


def test_htmldate_reads_the_canonical_address_when_the_page_address_holds_no_day():
    canonical = '<link rel="canonical" href="/2024/03/06/story.html">'
    # a page known by its site's root (a saved page) or by a mobile address without the day
    assert date_of(page("", head=canonical), url="https://news.example.com/") == "2024-03-06T00:00:00+08:00"
    og_url = '<meta property="og:url" content="https://news.example.com/2024/03/06/story.html">'
    assert date_of(page("", head=og_url), url="https://m.example.com/s/8812") == "2024-03-06T00:00:00+08:00"
    # the address the page was fetched at wins when it holds a day
    assert date_of(page("", head=canonical),
                   url="https://news.example.com/2024/03/05/story.html") == "2024-03-05T00:00:00+08:00"
    assert date_of(page("", head='<link rel="canonical" href="https://news.example.com/story.html">'),
                   url="https://news.example.com/") is None


def test_a_year_alone_is_no_date():
    assert date_of(page("", '<div class="copy">© 2017 示例新闻网</div>')) is None


def test_selector_input_and_no_article():
    html = page('<div class="info">2024-03-05 10:20</div>')
    assert to_iso(publication_date(Selector(text=html), "", "Asia/Shanghai", NOW,
                                   extract_generic(html, ""))) == "2024-03-05T10:20:00+08:00"


def test_page_locale():
    assert page_locale(lxml.html.document_fromstring('<html lang="en-GB"><body></body></html>')) == "en-GB"
    root = lxml.html.document_fromstring('<html><head><meta property="og:locale" content="de_DE"></head></html>')
    assert page_locale(root) == "de_DE"
