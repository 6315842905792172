from __future__ import annotations

from scrapy.http import TextResponse

from crawler.extract.article import PageExtraction
from crawler.spiders.base import ArticleSpider

_BODY = '//div[@id="artibody" or @id="article"]'
_LEAD = 'starts-with(normalize-space(translate(., "　", " ")), "相关新闻")'


class SinaSpider(ArticleSpider):
    name = "sina"
    allowed_domains = ["sina.com.cn"]
    start_urls = [
        "https://news.sina.com.cn/china/", "https://news.sina.com.cn/world/", "https://news.sina.com.cn/society/",
        "https://finance.sina.com.cn/", "https://tech.sina.com.cn/",
    ]
    article_url_pattern = r"/doc-i[a-z]{7}\d{7}\.shtml"
    title_selector = ["h1.main-title", "#artibodyTitle", "h1#main_title"]
    # The page shows the first publication time; article:published_time is the last edit's.
    date_selector = [".date-source .date", "#top_bar .date", "#pub_date", ".time-source"]
    body_selector = ["#artibody", "#article"]
    author_selector = [".show_author_name", ".article-author"]
    source_selector = [".date-source .source", "#media_name a", "#media_name", ".time-source a"]
    category_selector = ".channel-path a"
    tags_selector = ".keywords a"
    noise_selectors = [
        ".show_author", ".article-editor", ".tech-quotation", ".artical-player-wrap", ".appendQr_wrap",
        ".article-notice", "#left_hzh_ad", ".ct_hqimg", ".finance_app_zqtg", "[id^='ad_']",
        # a "相关新闻：" heading with a few link-only lines at the top of tech articles
        f"{_BODY}/p[{_LEAD}]/following-sibling::p[position() <= 5]"
        '[.//a and normalize-space(translate(string(.), "　", " ")) = normalize-space(string(.//a))]',
        f"{_BODY}/p[{_LEAD}]",
        f'{_BODY}/p[starts-with(normalize-space(translate(., "　", " ")), "免责声明")]',
    ]
    watermark_rules = [
        "re:^责任编辑[:：].*$",
        "re:^免责声明[:：].*$",
        "re:^(?:新浪)?声明[:：].*新浪网.*$",
    ]

    def adjust_page(self, page: PageExtraction, response: TextResponse) -> PageExtraction:
        # <meta property="article:author"> names the media outlet, already the source: no author.
        if page.layers.get("authors") == "structured" and page.authors == [page.source]:
            page.authors = []
            page.layers.pop("authors")
        return page
