from __future__ import annotations

import json
import re

from crawler.extract.article import Body, PageContext
from crawler.extract.byline import split_furniture
from crawler.spiders.base import ArticleSpider

_GALLERY = re.compile(r"""gallery\s*:\s*JSON\.parse\(\s*("(?:[^"\\]|\\.)*")\s*\)""")


def gallery_captions(page: PageContext) -> Body | None:
    """A photo story's captions: the page shows one at a time, its script holds them all (``sub_abstracts``)."""
    script = page.sel.xpath("//script[contains(., 'sub_abstracts')]/text()").get()
    m = _GALLERY.search(script or "")
    try:
        gallery = json.loads(json.loads(m.group(1))) if m else {}
    except ValueError:
        return None
    lines = [line for text in gallery.get("sub_abstracts") or [] if (line := " ".join(str(text).split()))]
    images = [img["url"] for img in gallery.get("sub_images") or [] if isinstance(img, dict) and img.get("url")]
    body, furniture = split_furniture(lines)
    return Body(body, images, furniture) if body else None


class ToutiaoSpider(ArticleSpider):
    name = "toutiao"
    allowed_domains = ["toutiao.com"]
    start_urls = [
        "https://www.toutiao.com/", "https://www.toutiao.com/ch/news_hot/", "https://www.toutiao.com/ch/news_tech/",
        "https://www.toutiao.com/ch/news_finance/", "https://www.toutiao.com/ch/news_society/",
        "https://www.toutiao.com/ch/news_world/",
    ]
    # /article/<id>/ (2020+), /a<id>/ /i<id>/ /group/<id>/ (older); /video/<id>/ is not an article.
    article_url_pattern = r"/(?:article/|a|i|group/)\d{15,20}/?(?:[?#]|$)"
    render_js = True
    wait_selector = ".article-content, .info-box"
    # Articles: h1 inside .article-content (2020+) or h1.article-title (.article-box); galleries: .info-box h2.
    selectors = {
        "title": [".article-content h1", "h1.article-title",
                  "//div[contains(@class,'info-box')]//h2[contains(@class,'title')]/text()[normalize-space()]"],
        "published_at": ["//meta[@property='bytedance:published_time']/@content", ".article-meta span",
                         ".article-sub span", ".articleInfo .time", ".info-box .time"],
        "authors": [".article-meta .name", ".article-sub span:not(.original):not(:last-child)", ".articleInfo .src",
                    ".info-box .media-user span"],
        "tags": [".article-tag .tag-item a", ".info-box .tag-list a"],
        "body": ["article.tt-article-content", ".article-content article", ".article-box .article-content",
                 ".info-box .abstract", ".article-content"],
    }
    field_sources = {"body": {"gallery": gallery_captions}}
    field_order = {"body": ("gallery", "site", "generic")}
    noise_selectors = [".abstract-index", ".pgc-img-caption:empty", ".tt-video-box", ".article-tag",
                       ".syl-page-article .pgc-card"]
    watermark_rules = ["re:^(?:本文|文章)?(?:首发|原创)于?今日头条.{0,20}$", "re:^未经授权.{0,10}禁止转载.{0,20}$"]
