from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class WechatSpider(ArticleSpider):
    name = "wechat"
    # qq.com is the qq spider's; public-account articles live on this host only
    allowed_domains = ["mp.weixin.qq.com"]
    start_urls = []  # no section pages: -a url=... or -a start_urls=...
    article_url_pattern = r"/s(?:/[\w-]{10,}|\?(?:[^#]*&)?__biz=)"
    generic_body = False  # every article has #js_content; a page without it says the post is gone
    # The shown #publish_time is written by JavaScript (empty, or "昨天", in a saved page); the page's
    # scripts hold the time (ct, publish_time): a structured source, read first.
    field_order = {"published_at": ("structured", "site")}
    selectors = {
        "title": ["#activity-name", ".rich_media_title"],
        "published_at": "#publish_time",
        "body": ["#js_content", ".rich_media_content"],
        "authors": ["#js_author_name", "//*[@id='meta_content']/span[contains(@class,'rich_media_meta_text')]"],
        "source": ["#js_name", ".profile_nickname"],
        "tags": ["#js_tags .article-tag__item", ".article-tag__item"],
    }
    noise_selectors = [
        "#js_pc_qr_code", "#js_tags", ".qr_code_pc", "mpvoice", "mpvideosnap", ".js_editor_audio", ".video_iframe",
        # a short closing block that asks to scan or long-press a QR code (关注/长按/扫码)
        "//*[@id='js_content']//*[self::p or self::section][not(.//p or .//section)][contains(., '二维码')]"
        "[contains(., '关注') or contains(., '长按') or contains(., '扫')][string-length(normalize-space()) < 40]",
    ]
    watermark_rules = [
        "re:^(?:点击|戳)(?:上方|顶部)?\\s*[「“\"]?蓝字[」”\"]?\\s*(?:关注|，|,).*",
        "re:^(?:点击)?[「“\"]?阅读原文[」”\"]?.+",
        "re:^(?:喜欢就|记得)?(?:点个?)?[「“\"]?在看[」”\"]?吧?$",
    ]
