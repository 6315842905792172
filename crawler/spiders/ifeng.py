from __future__ import annotations

from crawler.spiders.base import ArticleSpider


def _cls(prefix: str) -> str:
    """ifeng pages use CSS-module classes (``main_content-LcrEruCc``, ``index_main_content_x8Ke2``): the stable part."""
    return f'(contains(concat(" ", @class), " {prefix}-") or contains(@class, "_{prefix}_"))'


class IfengSpider(ArticleSpider):
    name = "ifeng"
    allowed_domains = ["ifeng.com"]
    start_urls = [
        "https://news.ifeng.com/", "https://news.ifeng.com/mainland/", "https://news.ifeng.com/world/",
        "https://finance.ifeng.com/", "https://tech.ifeng.com/", "https://ent.ifeng.com/",
    ]
    article_url_pattern = r"(?<!//v\.ifeng\.com)/c/[0-9A-Za-z]{11}\b|/a/20\d{6}/\d+_0\.shtml"
    selectors = {
        "title": [f"//h1[{_cls('topic')}]", "#artical_topic", ".yc_tit h1"],
        "published_at": ['//meta[normalize-space(@name)="og:time"]/@content', f"//p[{_cls('time')}]/span[1]",
                         "#artical_sth .ss01", ".yc_tit p span", ".p_time span"],
        "body": [f"//div[{_cls('main_content')}]", "#main_content", "#artical_real", "#yc_con_txt"],
        "source": [f"//span[{_cls('source')}]", "#artical_sth .ss03", ".yc_tit p a"],
        "category": [f"//div[{_cls('breadcrumbs')}]//a/text()", ".theCurrent a::text", ".speNav a::text"],
    }
    noise_selectors = [
        f"//div[{_cls('end')}]", ".ifengLogo", ".detailPic_tip", "#embed_hzh_div", ".tc_box", ".artical_weixin",
    ]
    min_body_chars = 50  # a video page's title and time line is no article
    watermark_rules = ["re:^凤凰网.{0,8}出品$"]
