from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class GuanchaSpider(ArticleSpider):
    name = "guancha"
    allowed_domains = ["guancha.cn"]
    mobile_hosts = {"m.guancha.cn": "www.guancha.cn"}
    start_urls = [
        "https://www.guancha.cn/", "https://www.guancha.cn/internation", "https://www.guancha.cn/politics",
        "https://www.guancha.cn/military-affairs", "https://www.guancha.cn/economy", "https://www.guancha.cn/chanjing",
        "https://www.guancha.cn/GuanChaZheTouTiao/list_1.shtml", "https://www.guancha.cn/ZhongGuoWaiJiao/list_1.shtml",
    ]
    # /<section or columnist>/2019_09_07_516923.shtml; _2, _3 ... are the pages of a long article, _s all of it
    article_url_pattern = r"/[^/?#]+/\d{4}_\d{2}_\d{2}_\d+(?:_s|_\d{1,2})?\.shtml"
    # every page carries the template's <meta name="author" content="name, email@gmail.com">
    ignore_structured = frozenset({"authors"})
    selectors = {
        "title": [".left-main > h3", ".article-txt h1", "h1"],
        "published_at": [".left-main .time span:first-child", ".time span"],
        "body": [".content.all-txt", ".article-txt-content", ".gc_content"],
        "authors": [".author-intro p a", ".author-intro h4 a"],
        "tags": ".key-word a",
        "source": "//div[contains(@class,'time')]/span[contains(., '来源')]",
        "next_page": [".module-page a.next", "//div[contains(@class,'module-page')]//a[contains(., '下一页')]"],
    }
    noise_selectors = [
        ".module-page", ".all-txt .share",
        # the exclusive-article disclaimer closing columns: 本文系观察者网独家稿件……不得转载
        "//div[contains(@class,'all-txt')]/p[contains(., '本文系观察者网独家稿件')]",
    ]
    watermark_rules = ["re:^本文系观察者网独家稿件.*", "re:^关注观察者网微信guanchacn.*"]
