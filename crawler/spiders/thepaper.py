from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.extract.article import PageExtraction
from crawler.spiders.base import ArticleSpider

_BYLINE = re.compile(r"^(?:澎湃新闻)?(?:首席|特约)?(?:记者|实习生|通讯员)\s*")


def _cls(prefix: str) -> str:
    """Pages since 2022 use CSS-module classes (``index_cententWrap__Jv8jK``): match the stable prefix."""
    return f'contains(concat(" ", @class), " {prefix}__")'


class ThepaperSpider(ArticleSpider):
    name = "thepaper"
    allowed_domains = ["thepaper.cn"]
    mobile_hosts = {"m.thepaper.cn": "www.thepaper.cn"}
    start_urls = [
        "https://www.thepaper.cn/", "https://www.thepaper.cn/channel_25950", "https://www.thepaper.cn/channel_122908",
        "https://www.thepaper.cn/channel_25951", "https://www.thepaper.cn/channel_119908",
    ]
    article_url_pattern = r"/newsDetail_forward_\d+"
    title_selector = ["h1.news_title", f"//h1[{_cls('index_title')}]"]
    date_selector = ["//div[@class='news_about']/p[2]/text()", f"//div[{_cls('index_left')}]//span/text()"]
    body_selector = [".news_txt", f"//div[{_cls('index_cententWrap')}]"]
    author_selector = ["//div[@class='news_about']/p[1][contains(., '记者') or contains(., '实习生')]"]
    source_selector = ["//div[@class='news_about']/p[2]/span[contains(., '来源')]",
                       f"//div[{_cls('index_left')}]//span[starts-with(normalize-space(.), '来源')]"]
    category_selector = [".news_path a:not([href='/'])::text", f"//div[{_cls('index_breadcrumb')}]//a/text()"]
    noise_selectors = [".hide_word", ".go_to_topic", ".bottom_word_relation", ".news_video_name", ".video_news"]
    watermark_rules = ["re:^\\(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP\\)$", "re:^责任编辑[:：].*$",
                       "re:^校对[:：].*$"]

    def adjust_page(self, page: PageExtraction, response: TextResponse) -> PageExtraction:
        # "澎湃新闻记者 段彦超 廖艳" -> ["段彦超", "廖艳"]
        if page.layers.get("authors") == "site":
            page.authors = [n for a in page.authors for n in _BYLINE.sub("", a).split() if n]
        return page
