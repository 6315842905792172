"""crawler.urls: one key per article however the URL is written."""

from __future__ import annotations

import pytest

from crawler.urls import canonical_url, url_day, url_key, url_keys

MOBILE = {"m.163.com": "www.163.com", "m.news.cctv.com": "news.cctv.com", "wap.example.cn": "www.example.cn/mobile"}


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://WWW.Example.COM:80/a/b.html", "http://www.example.com/a/b.html"),
    ("https://www.example.com:443/a/b.html#comments", "https://www.example.com/a/b.html"),
    ("https://www.example.com:8443/a", "https://www.example.com:8443/a"),
    ("https://news.example.com/a.html?utm_source=wx&utm_medium=share&id=7&spm=a.b.c&from=timeline",
     "https://news.example.com/a.html?id=7"),
    ("https://news.example.com/a.html?b=2&a=1&isappinstalled=0&scene=1", "https://news.example.com/a.html?a=1&b=2"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/新闻/a.html", "https://example.com/%E6%96%B0%E9%97%BB/a.html"),
    ("https://example.com/a.html?fbclid=x&gclid=y", "https://example.com/a.html"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_mobile_hosts() -> None:
    assert canonical_url("https://m.163.com/dy/article/ABC.html?spm=1", MOBILE) == "https://www.163.com/dy/article/ABC.html"
    assert canonical_url("https://M.News.CCTV.com/2026/01/01/x.shtml", MOBILE) == "https://news.cctv.com/2026/01/01/x.shtml"
    assert canonical_url("http://wap.example.cn/a/1.html", MOBILE) == "http://www.example.cn/mobile/a/1.html"
    assert canonical_url("https://m.163.com/x") == "https://m.163.com/x"  # no mapping declared


def test_keys_ignore_scheme_and_dedupe() -> None:
    assert url_key("https://www.example.com/a?utm_x=1") == url_key("http://WWW.example.com:80/a#top")
    assert url_key("https://www.example.com/a") == "//www.example.com/a"
    keys = url_keys(["https://www.163.com/a.html", None, "", "https://m.163.com/a.html?from=x"], MOBILE)
    assert keys == ("//www.163.com/a.html",)


def test_garbage_does_not_raise() -> None:
    assert canonical_url("http://[::1") == "http://[::1"


@pytest.mark.parametrize(("url", "day"), [
    ("https://www.example.com/2019/10/31/story/", "2019-10-31"),
    ("https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml", "2019-11-25"),
    ("http://www.example.org/news/20050519.html", "2005-05-19"),
    ("https://www.example.com/2019/13/31/story/", None),  # no 13th month
    ("https://www.example.com/story/123456789", None),
    ("https://www.example.com/", None),
    (None, None),
])
def test_url_day(url: str | None, day: str | None) -> None:
    assert url_day(url) == day
