"""Three spiders of the local test site: one healthy, one whose body selector broke, one that stores nothing."""

from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class LocalNewsSpider(ArticleSpider):
    name = "localnews"
    allowed_domains = ["127.0.0.1"]
    article_url_pattern = r"/article/[\w-]+\.html"
    selectors = {"title": "h1", "body": "div.content p"}


class LocalBrokenSpider(LocalNewsSpider):
    name = "localbroken"
    # the "site" changed its layout: every body comes from the generic layer
    selectors = {"title": "h1", "body": "div.article-body p"}


class LocalEmptySpider(LocalNewsSpider):
    name = "localempty"
    min_body_chars = 10**6  # every article is rejected: found, never stored
