from __future__ import annotations

from crawler.spiders.base import ArticleSpider


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
    article_url_pattern = r"/newsDetail_forward_\d+|m\.thepaper\.cn/detail/\d+"
    selectors = {
        "title": ["h1.news_title", f"//h1[{_cls('index_title')}]", ".news_title"],
        "published_at": ["//div[contains(@class, 'news_about')]/p", f"//div[{_cls('index_left')}]//span/text()"],
        "body": [".news_txt", f"//div[{_cls('index_cententWrap')}]", ".news_part_limit"],
        "authors": ["//div[@class='news_about']/p[1][contains(., '记者') or contains(., '实习生')]",
                    f"//div[{_cls('index_left')}]/div[1]/text()"],
        "source": ["//div[contains(@class, 'news_about')]/p/span[contains(., '来源')]",
                   f"//div[{_cls('index_left')}]//span[starts-with(normalize-space(.), '来源')]"],
        "category": [".news_path a:not([href='/'])::text", f"//div[{_cls('index_breadcrumb')}]//a/text()"],
    }
    noise_selectors = [".hide_word", ".go_to_topic", ".bottom_word_relation", ".news_video_name", ".video_news"]
    watermark_rules = ["re:^\\(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP\\)$"]
