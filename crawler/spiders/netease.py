from __future__ import annotations

from scrapy.http import TextResponse

from crawler.extract.article import PageExtraction
from crawler.spiders.base import ArticleSpider


class NeteaseSpider(ArticleSpider):
    name = "netease"
    allowed_domains = ["163.com"]
    start_urls = [
        "https://news.163.com/domestic/", "https://news.163.com/world/", "https://news.163.com/shehui/",
        "https://money.163.com/", "https://tech.163.com/", "https://ent.163.com/", "https://sports.163.com/",
    ]
    feed_urls = ["https://news.163.com/special/00011K6L/rss_newstop.xml"]
    article_url_pattern = r"/(?:dy/article|(?:news/)?article|\d{2}/\d{4}/\d{2})/[0-9A-Z]{16}(?:_\d+)?\.html"
    title_selector = ["h1.post_title", ".post_content_main h1", "#epContentLeft h1", ".article_title h2"]
    # The <meta> time first; old 网易号 pages have none, only the wrapper's data-ptime.
    date_selector = ['//meta[@property="article:published_time"]/@content', '//*[@id="contain"]/@data-ptime',
                     ".post_time_source", ".post_info", ".ep-time-soure"]
    body_selector = ["#endText", ".post_body", ".article_box #content"]
    source_selector = ["#ne_article_source", ".post_time_source a", ".post_info a:not(.post_jubao)",
                       ".share_box .time span:nth-of-type(3)"]
    category_selector = '//div[@class="post_crumb"]/a[position() > 1 and not(@class="to_reg")]/text()'
    next_page_selector = '//div[contains(@class, "ep-pages")]//a[contains(., "下一页")]'
    noise_selectors = [
        ".ep-source", ".ep-editor", ".ep-pages", ".post_topshare_wrap", ".post_btmshare", ".post_size_ctrl",
        ".related_article", ".post_statement", ".statement", ".post_end", ".post_top", "[class^='gg200x300']",
        ".at_item", ".js_qrcode_wrap", ".nt-wx2dcode", ".video-info",
        # a closing "来源：无锡交警" line of 网易号 posts names the source, it is no body text
        '//div[@id="content"]/p[last()][starts-with(normalize-space(translate(., "　", " ")), "来源：")]',
    ]
    watermark_rules = [
        "re:^图片来自网络，如有侵权，请联系删除。?$",
        "re:^(?:本文来源|来源)[:：].{1,30}责任编辑[:：].*$",
        "re:^责任编辑[:：].*$",
        "re:^编辑\\s*\\S{2,4}\\s+校对\\s*\\S{2,4}$",
    ]

    def adjust_page(self, page: PageExtraction, response: TextResponse) -> PageExtraction:
        if page.authors == ["网易"]:
            page.authors = []
            page.layers.pop("authors", None)
        return page
