"""ArticleSpider's answers to pages that give no article: one log line naming the URL and the reason, one stat."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.base import ArticleSpider

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


class SiteSpider(ArticleSpider):
    name = "site"
    article_url_pattern = r"/a/\d+\.html"
    selectors = {"body": "article"}


@pytest.fixture
def spider() -> SiteSpider:
    crawler = get_crawler(SiteSpider, {"STATE_ENABLED": False})
    return SiteSpider.from_crawler(crawler)


@pytest.mark.parametrize(("response", "reason", "message"), [
    (Response("https://example.com/a/1.html", body=PDF, headers={"Content-Type": "application/pdf"}), "not_html",
     "not an HTML page (served as application/pdf)"),
    (HtmlResponse("https://example.com/a/2.html", body=PDF, headers={"Content-Type": "text/html"}), "binary",
     "a PDF (served as text/html)"),
    (HtmlResponse("https://example.com/a/3.html", body=b"\x00\x01" * 100, encoding="utf-8"), "binary",
     "binary data (no Content-Type)"),
])
def test_a_page_that_is_no_html_article_is_one_readable_line(spider, caplog, response, reason,  # type: ignore[no-untyped-def]
                                                              message) -> None:
    with caplog.at_level(logging.WARNING):
        assert list(spider.parse_article(response)) == []
    (record,) = caplog.records
    assert record.getMessage() == f"No article from {response.url}: {message}"
    assert spider.crawler.stats.get_value(f"articles/rejected/{reason}") == 1


XHTML = ("<?xml version='1.0' encoding='utf-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><head><title>Harbour"
         "</title></head><body><article><p>The council voted on Monday to rebuild the old harbour wall.</p>{extra}"
         "<p>Work starts in spring and should take two years, the council said.</p></article></body></html>")


@pytest.mark.parametrize("extra", ["", "<p>Costs&nbsp;are shared<br>with the port.</p>"])  # well-formed or not
def test_an_article_served_as_xml_is_read_as_html(spider, extra) -> None:  # type: ignore[no-untyped-def]
    response = XmlResponse("https://example.com/a/4.html", body=XHTML.format(extra=extra).encode(),
                           headers={"Content-Type": "text/xml"}, request=Request("https://example.com/a/4.html"))
    (item,) = list(spider.parse_article(response))
    assert item.body[0] == "The council voted on Monday to rebuild the old harbour wall."
    assert item.body[-1].startswith("Work starts in spring") and item.extraction["body"] == "site"


EN = ("The council met on Friday and agreed to reopen the bridge in spring, after repairs to the deck and the "
      "railings that were delayed twice by the weather. Residents said they had waited long enough. ")
ZH = "周末和朋友去了趟西湖，天气出奇地好，湖面上游船不多，远处的保俶塔在阳光下格外清楚，我们沿着白堤慢慢走了一圈。"


@pytest.mark.parametrize(("body", "article"), [
    (f"<p>{ZH}</p><p>{ZH[::-1]}</p><p>{ZH}</p>", True),
    (f"<p>{EN}</p><p>{EN}</p>", True),  # prose ends its sentences with full stops too
    ("<ul>" + "".join(f'<li><a href="/a/{n}.html">The council met on Friday to talk about bridge number {n}</a></li>'
                      for n in range(12)) + "</ul>", False),
])
def test_a_page_outside_the_article_pattern_is_an_article_when_it_reads_as_prose(spider, body, article) -> None:
    url = "https://blog.example.com/posts/bridge-reopens"  # not the site's article URL, no <article> container
    html = f"<html><head><title>Bridge</title></head><body><h1>Bridge</h1><div class='post'>{body}</div></body></html>"
    items = list(spider.parse_article(HtmlResponse(url, body=html.encode(), encoding="utf-8",
                                                   request=Request(url, meta={"follow_pages": False}))))
    assert bool(items) is article
    assert (spider.last_rejection is None) is article


STORY = ("<html><head><title>Bridge reopens</title></head><body><h1>Bridge reopens</h1><p class='date'>{when}</p>"
         "<article>" + "<p>The council met on Friday and agreed to reopen the bridge in spring, after repairs to the "
         "deck and the railings that took most of the winter.</p>" * 4 + "</article></body></html>")


@pytest.mark.parametrize(("url", "when", "published", "unknown"), [
    ("https://news.example.com/a/1.html", "March 3, 2025 9:35 PM", "2025-03-03T21:35:00+00:00", True),
    ("https://news.example.com/a/2.html", "March 3, 2025 9:35 PM EST", "2025-03-03T21:35:00-05:00", False),
    ("https://news.example.de/a/3.html", "March 3, 2025 9:35 PM", "2025-03-03T21:35:00+01:00", False),
])
def test_a_time_on_a_page_of_no_known_timezone_is_flagged(url: str, when: str, published: str,
                                                          unknown: bool) -> None:
    from crawler.spiders.generic import GenericSpider

    spider = GenericSpider.from_crawler(get_crawler(GenericSpider, {"STATE_ENABLED": False}), url=url)
    response = HtmlResponse(url, body=STORY.format(when=when).encode(), encoding="utf-8", request=Request(url))
    (item,) = list(spider.parse_article(response))
    assert item.published_at is not None and item.published_at.isoformat() == published
    assert (item.extra.get("timezone") == "unknown") is unknown
    assert spider.crawler.stats.get_value("extraction/timezone_unknown") == (1 if unknown else None)


def test_a_site_body_that_is_a_list_of_links_falls_back_to_the_generic_body(spider) -> None:  # type: ignore[no-untyped-def]
    # the layout changed: <article> now holds the related-stories block, the story sits in a new container
    related = "".join(f"<li><a href='/a/{n}.html'>Related story {n} about the harbour</a></li>" for n in range(8))
    html = ("<html><head><title>Harbour wall</title></head><body><h1>Harbour wall</h1><div class='story-v2'>"
            + "<p>The council voted on Monday to rebuild the old harbour wall, which storms damaged in winter.</p>" * 4
            + f"</div><article><ul>{related}</ul></article></body></html>")
    url = "https://example.com/a/9.html"
    (item,) = list(spider.parse_article(HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))))
    assert item.body[0].startswith("The council voted") and not any("Related story" in line for line in item.body)
    assert item.extraction["body"] == "generic"
    assert spider.crawler.stats.get_value("extraction/fallback/body") == 1
