from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class XinhuaSpider(ArticleSpider):
    name = "xinhua"
    allowed_domains = ["news.cn", "xinhuanet.com"]
    start_urls = [
        "https://www.news.cn/politics/", "https://www.news.cn/fortune/", "https://www.news.cn/world/",
        "https://www.news.cn/local/", "https://www.news.cn/tech/", "https://www.news.cn/legal/",
        "https://www.news.cn/culture/", "https://www.news.cn/sports/",
    ]
    # /<YYYYMMDD>/<32 hex>/c.html (2021+), /<YYYY-MM>/<DD>/c_<id>.htm (2014-2021), /content_<id>.htm (older).
    article_url_pattern = r"/(?:\d{8}/[0-9a-f]{32}/c\.html|\d{4}-\d{2}/\d{2}/c_\d+\.html?|content_\d+\.html?)"
    # 2020+: .head-line h1 .title, date in the mobile header; 2014-2020: .h-title/.h-time/#p-detail;
    # older: #title/#pubtime/#content; regional table pages fall back to <title> and the generic layer.
    selectors = {
        "title": [".head-line h1 .title", ".mheader h1 .title", "h1.h-title", ".h-title", "#title", "#Title"],
        "published_at": [".mheader .info", ".h-info .h-time", ".h-time", "#pubtime", ".time .year"],
        "source": [".header-cont .source", ".mheader .info span", "#source", ".h-info .aticle-src",
                   ".h-info span:nth-child(2)", "#source-name"],
        # Text nodes, not elements: an element's text would carry the " > " that follows it.
        "category": ["(//div[contains(@class,'header-nav')]/a)[position()>1]//text()[normalize-space()]",
                     "(//div[contains(@class,'news-position')]/a)[position()>1]//text()[normalize-space()]"],
        "body": ["#detail", "#p-detail", "#content", "#Content", ".article"],
        "next_page": ["#div_currpage a.nextpage", "//div[@id='div_currpage']//a[contains(., '下一页')]"],
    }
    noise_selectors = [
        "#articleEdit", ".editor", ".tiyi1", "#div_currpage", ".zan-wap", ".share", ".pageShare", ".bookList",
        ".nextpage", ".lb", "#advisebox01", ".p-tags", ".fenxiang",
    ]
