from __future__ import annotations

from scrapy.http import TextResponse

from crawler.extract.article import PageExtraction
from crawler.spiders.base import ArticleSpider


def _script_var(name: str) -> str:
    """XPath 1.0: the quoted value of ``var <name> = "..."`` in the page's scripts ('' when absent)."""
    marker = f'var {name} = "'
    return f"substring-before(substring-after(//script[contains(., '{marker}')], '{marker}'), '\"')"


_CT, _CREATE = _script_var("ct"), _script_var("create_time")
# The shown #publish_time is written by JavaScript ("昨天" in a saved page); the scripts hold the epoch
# seconds. XPath 1.0 has no if: substring(s, 1 div cond) is s when cond holds, else ''.
_PUBLISHED = (f"(concat({_CT}, substring({_CREATE}, 1 div ({_CT} = '')),"
              f" substring(//*[@id='publish_time'], 1 div ({_CT} = '' and {_CREATE} = ''))))")


class WechatSpider(ArticleSpider):
    name = "wechat"
    # qq.com is the qq spider's; public-account articles live on this host only
    allowed_domains = ["mp.weixin.qq.com"]
    start_urls = []  # no section pages: -a url=... or -a start_urls=...
    article_url_pattern = r"/s(?:/[\w-]{10,}|\?(?:[^#]*&)?__biz=)"

    title_selector = ["#activity-name", ".rich_media_title"]
    date_selector = _PUBLISHED
    body_selector = ["#js_content", ".rich_media_content"]
    author_selector = ["#js_author_name", "//*[@id='meta_content']/span[contains(@class,'rich_media_meta_text')]"]
    source_selector = ["#js_name", ".profile_nickname"]
    tags_selector = ["#js_tags .article-tag__item", ".article-tag__item"]
    noise_selectors = [
        "#js_pc_qr_code",
        "#js_tags",
        ".qr_code_pc",
        "mpvoice",
        "mpvideosnap",
        ".js_editor_audio",
        ".video_iframe",
        # a short closing block that asks to scan or long-press a QR code (关注/长按/扫码)
        "//*[@id='js_content']//*[self::p or self::section][not(.//p or .//section)][contains(., '二维码')]"
        "[contains(., '关注') or contains(., '长按') or contains(., '扫')][string-length(normalize-space()) < 40]",
    ]
    watermark_rules = [
        "re:^(?:点击|戳)(?:上方|顶部)?\\s*[「“\"]?蓝字[」”\"]?\\s*(?:关注|，|,).*",
        "re:^(?:长按|扫描|扫)(?:下方|上方)?(?:识别)?二维码.*",
        "re:^(?:点击)?[「“\"]?阅读原文[」”\"]?.*",
        "re:^(?:喜欢就|记得)?(?:点个?)?[「“\"]?在看[」”\"]?吧?$",
    ]

    def adjust_page(self, page: PageExtraction, response: TextResponse) -> PageExtraction:
        # Every article has #js_content; without it the page says the post was deleted, blocked or is a check.
        if page.layers.get("body") == "generic":
            page.body = []
        return page
