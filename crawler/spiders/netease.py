from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class NeteaseSpider(ArticleSpider):
    name = "netease"
    allowed_domains = ["163.com"]
    mobile_hosts = {"m.163.com": "www.163.com", "3g.163.com": "www.163.com"}
    start_urls = [
        "https://news.163.com/domestic/", "https://news.163.com/world/", "https://news.163.com/shehui/",
        "https://money.163.com/", "https://tech.163.com/", "https://ent.163.com/", "https://sports.163.com/",
    ]
    feed_urls = ["https://news.163.com/special/00011K6L/rss_newstop.xml"]
    # /dy/article/<id>.html, /news/article/<id>.html (and 3g.163.com's), /news/a/<id>.html, /19/0907/13/<id>.html
    article_url_pattern = (r"/(?:dy/article|(?:news/)?article(?:_cambrian)?|news/a|\d{2}/\d{4}/\d{2})"
                           r"/[0-9A-Z]{16}(?:_\d+)?\.html")
    portal_names = ("网易",)
    selectors = {
        "title": ["h1.post_title", ".post_content_main h1", "#epContentLeft h1", ".article_title h2",
                  "article h1.title"],
        # The <meta> time first; old 网易号 pages have none, only the wrapper's data-ptime.
        "published_at": ['//meta[@property="article:published_time"]/@content', '//*[@id="contain"]/@data-ptime',
                         ".post_time_source", ".post_info", ".ep-time-soure", "article .info .time"],
        "body": ["#endText", ".post_body", ".article_box #content", "article .content .page"],
        "source": ["#ne_article_source", ".post_time_source a", ".post_info a:not(.post_jubao)",
                   ".share_box .time span:nth-of-type(3)", "article .info .source"],
        "category": '//div[@class="post_crumb"]/a[position() > 1 and not(@class="to_reg")]/text()',
        "next_page": '//div[contains(@class, "ep-pages")]//a[contains(., "下一页")]',
    }
    noise_selectors = [
        ".ep-source", ".ep-editor", ".ep-pages", ".post_topshare_wrap", ".post_btmshare", ".post_size_ctrl",
        ".related_article", ".post_statement", ".statement", ".post_end", ".post_top", "[class^='gg200x300']",
        ".at_item", ".js_qrcode_wrap", ".nt-wx2dcode", ".video-info", ".otitle",
    ]
    watermark_rules = ["re:^图片来自网络，如有侵权，请联系删除。?$", "re:^Notice: The content above .*NetEase Hao.*$"]
