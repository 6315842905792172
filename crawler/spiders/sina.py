from __future__ import annotations

from crawler.spiders.base import ArticleSpider

_BODY = '//div[@id="artibody" or @id="article"]'
_LEAD = 'starts-with(normalize-space(translate(., "　", " ")), "相关新闻")'


class SinaSpider(ArticleSpider):
    name = "sina"
    allowed_domains = ["sina.com.cn", "sina.cn"]
    start_urls = [
        "https://news.sina.com.cn/china/", "https://news.sina.com.cn/world/", "https://news.sina.com.cn/society/",
        "https://finance.sina.com.cn/", "https://tech.sina.com.cn/",
    ]
    # desktop /doc-i<id>.shtml, mobile (sina.cn) /detail-i<id>.d.html, 看点 /article_<uid>_<id>.html
    article_url_pattern = r"/doc-i[a-z]{6,8}\d{7}\.shtml|/detail-i[a-z]{6,8}\d{7}\.d\.html|/article_\d+_[0-9a-z]+\.html"
    selectors = {
        "title": ["h1.main-title", "#artibodyTitle", "h1#main_title", "h1.art_tit_h1"],
        # The page shows the first publication time; article:published_time is the last edit's.
        "published_at": [".date-source .date", "#top_bar .date", "#pub_date", ".time-source", "time.art_time",
                         ".weibo_time"],
        "body": ["#artibody", "#article", ".art_content"],
        "authors": [".show_author_name", ".article-author"],
        "source": [".date-source .source", "#media_name a", "#media_name", ".time-source a", ".art_cite",
                   ".weibo_info .weibo_user"],
        "category": ".channel-path a",
        "tags": ".keywords a",
    }
    noise_selectors = [
        ".show_author", ".article-editor", ".tech-quotation", ".artical-player-wrap", ".appendQr_wrap",
        ".article-notice", "#left_hzh_ad", ".ct_hqimg", ".finance_app_zqtg", "[id^='ad_']",
        ".art_tit_h1", ".weibo_info", ".look_sub", ".j_article_wbreco", ".art_video_box", ".art_video",
        # a "相关新闻：" heading with a few link-only lines at the top of tech articles
        f"{_BODY}/p[{_LEAD}]/following-sibling::p[position() <= 5]"
        '[.//a and normalize-space(translate(string(.), "　", " ")) = normalize-space(string(.//a))]',
        f"{_BODY}/p[{_LEAD}]",
    ]
    watermark_rules = ["re:^新浪声明[:：].*$"]
