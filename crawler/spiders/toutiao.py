from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.extract.article import PageExtraction
from crawler.spiders.base import ArticleSpider

_NOT_ARTICLE = re.compile(r"toutiao\.com/(?:video|ch|c/user|search)/")


class ToutiaoSpider(ArticleSpider):
    name = "toutiao"
    allowed_domains = ["toutiao.com"]
    start_urls = [
        "https://www.toutiao.com/",
        "https://www.toutiao.com/ch/news_hot/",
        "https://www.toutiao.com/ch/news_tech/",
        "https://www.toutiao.com/ch/news_finance/",
        "https://www.toutiao.com/ch/news_society/",
        "https://www.toutiao.com/ch/news_world/",
    ]
    # /article/<id>/ (2020+), /a<id>/ /i<id>/ /group/<id>/ (older); /video/<id>/ is not an article.
    article_url_pattern = r"/(?:article/|a|i|group/)\d{15,20}/?(?:[?#]|$)"
    render_js = True
    wait_selector = ".article-content, .info-box"

    # Articles: h1 inside .article-content (2020+) or h1.article-title (.article-box); galleries: .info-box h2.
    title_selector = [".article-content h1", "h1.article-title",
                      "//div[contains(@class,'info-box')]//h2[contains(@class,'title')]/text()[normalize-space()]"]
    date_selector = ["//meta[@property='bytedance:published_time']/@content", ".article-meta span",
                     ".article-sub span", ".articleInfo .time", ".info-box .time"]
    author_selector = [".article-meta .name", ".article-sub span:not(.original):not(:last-child)",
                       ".articleInfo .src", ".info-box .media-user span"]
    tags_selector = [".article-tag .tag-item a", ".info-box .tag-list a"]
    body_selector = ["article.tt-article-content", ".article-content article", ".article-box .article-content",
                     ".info-box .abstract", ".article-content"]
    noise_selectors = [".abstract-index", ".pgc-img-caption:empty", ".tt-video-box", ".article-tag",
                       ".syl-page-article .pgc-card"]
    watermark_rules = ["re:^(?:本文|文章)?(?:首发|原创)于?今日头条.{0,20}$", "re:^未经授权.{0,10}禁止转载.{0,20}$"]

    def adjust_page(self, page: PageExtraction, response: TextResponse) -> PageExtraction:
        # Video, channel and profile pages have no article container; the generic layer would take their blurbs.
        if page.layers.get("body") != "site" and (
                _NOT_ARTICLE.search(response.url)
                or response.xpath("//meta[@property='og:type']/@content").get("").startswith("video")):
            page.body = []
        return page
