from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class SohuSpider(ArticleSpider):
    name = "sohu"
    allowed_domains = ["sohu.com"]
    mobile_hosts = {"m.sohu.com": "www.sohu.com"}
    start_urls = [
        "https://www.sohu.com/", "https://news.sohu.com/", "https://business.sohu.com/", "https://it.sohu.com/",
        "https://mil.sohu.com/", "https://www.sohu.com/c/8/1460",
    ]
    # 搜狐号 /a/<id>_<account> (m.sohu.com /a/ too); the old GBK news pages /20150101/n407474738.shtml
    article_url_pattern = r"/a/\d{6,}_\d+|/\d{8}/n\d{6,}\.shtml"
    selectors = {
        # text nodes only: the h1 also holds a span of labels (原创, 置顶)
        "title": ["//div[contains(@class,'text-title')]/h1/text()", ".text-title h1", "h1"],
        "published_at": ["#news-time", ".article-info .time", "meta[itemprop='datePublished']::attr(content)",
                         "#pubtime_baidu", ".time-source .time"],
        "body": ["article#mp-editor", "article.article", "#contentText", "[itemprop='articleBody']"],
        "authors": [".abroad-article-author-card-author-info", "#user-info h4 a", "#user-info .name"],
        "source": ["[data-role='original-link'] a", "[data-role='original-link']", "#media_span", ".source"],
        "category": ["//*[@id='crumbs' or contains(@class,'location')]/a[position() > 1]"],
    }
    noise_selectors = [
        "p[data-role='editor-name']", "#backsohucom", ".lookall-box", "#sohuplayer", ".statement",
        "//*[@id='mp-editor' or @id='contentText']//*[contains(translate(@style, ' ', ''), 'display:none')]",
        # 【编辑:…】 printed inside the last paragraph
        "//article//span[starts-with(normalize-space(), '【编辑') or starts-with(normalize-space(), '【责任编辑')]",
    ]
