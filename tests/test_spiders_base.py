"""ArticleSpider's answers to pages that give no article: one log line naming the URL and the reason, one stat."""

from __future__ import annotations

import logging

import pytest
from scrapy.http import HtmlResponse, Response
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
