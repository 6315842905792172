from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class QqSpider(ArticleSpider):
    name = "qq"
    allowed_domains = ["qq.com"]
    start_urls = [
        "https://news.qq.com/", "https://news.qq.com/ch/world/", "https://news.qq.com/ch/tech/",
        "https://news.qq.com/ch/finance/", "https://news.qq.com/ch/ent/", "https://news.qq.com/ch/sports/",
        "https://news.qq.com/ch/milite/",
    ]
    # /rain/a/<id> (2021+), view.inews.qq.com/a/<id> and xw.qq.com/cmsid/<id> (mobile),
    # /omn/<YYYYMMDD>/<id>.html (2018-2021), /a/<YYYYMMDD>/<n>.htm (older).
    article_url_pattern = r"/(?:rain/a|a|cmsid|omn(?:/\d{8})?)/[0-9A-Z]{14,20}(?:\.html)?|/a/\d{8}/\d{6,}\.htm"
    # 2018+: window.DATA carries the full publication time (a structured source); older: .qq_article, .a_time.
    selectors = {
        "title": [".LEFT h1", ".qq_article .hd h1", "#C-Main-Article-QQ .hd h1", "h1.article-title",
                  ".content-title h1", ".article-title h1"],
        "published_at": [".a_time", "#C-Main-Article-QQ .pubTime", ".article-time"],
        "authors": [".article-author .author-name", ".a_author"],
        "source": [".a_source", "#LeftTool .author div", ".media-info .media-name", ".tit-bar .color-a-1",
                   """(substring-before(substring-after(//script[contains(., 'window.DATA')], '"media": "'), '"'))"""],
        "category": [".a_catalog a", ".a_catalog"],
        "body": ["#ArticleContent", ".content-article", "#Cnt-Main-Article-QQ", ".rich_media_content"],
    }
    noise_selectors = ["#Status", ".article-status", "#backqqcom", ".statement", "#Comment", "#Recomend",
                       ".videoPlayerWrap", ".qq_editor", "#QQeditor", ".qq_articleFt", ".txp_player",
                       ".mbArticleShareBtn", ".rv-root-v2", ".rv-js-root"]
    watermark_rules = ["re:^返回腾讯网首页.*$", "正文已结束，您可以按alt+4进行评论"]
