from __future__ import annotations

from crawler.spiders.base import ArticleSpider

# The byline shows "发布时间：09-30" + "22:46" (two elements, the year only for past years);
# joined with a space they parse as one date.
_SHOWN_TIME = ("(concat((//*[contains(@class,'article-source') or contains(@class,'articleSource')])[1]/*[1], ' ',"
               " (//*[contains(@class,'article-source') or contains(@class,'articleSource')])[1]/*[2]))")


class BaijiahaoSpider(ArticleSpider):
    name = "baijiahao"
    # baidu.com would claim every Baidu page; the portal is its own host. news.baidu.com lists its articles.
    allowed_domains = ["baijiahao.baidu.com", "news.baidu.com"]
    start_urls = ["https://news.baidu.com/", "https://news.baidu.com/guonei", "https://news.baidu.com/guoji",
                  "https://news.baidu.com/finance", "https://news.baidu.com/tech"]
    article_url_pattern = r"/s\?id=\d{15,}"
    selectors = {
        "title": [".article-title h2", "[class*='index-module_articleTitle']", "[data-testid='title']"],
        # the old template's dateUpdate is the shown publication time, with its year
        "published_at": ["meta[itemprop='datePublished']::attr(content)",
                         "meta[itemprop='dateUpdate']::attr(content)", _SHOWN_TIME],
        "body": [".article-content", "[class*='index-module_articleWrap']", "[data-testid='article']"],
        "authors": [".author-txt .author-name", "[class*='index-module_authorName']", "[data-testid='author-name']"],
    }
    noise_selectors = [
        "audio", "[class*='index-module_articleTitle']", "[class*='index-module_articleDesc']",
        "//*[contains(@class,'index-module_articleWrap')]//*[normalize-space()='举报/反馈']",
    ]
    watermark_rules = ["举报/反馈"]
