from __future__ import annotations

from crawler.spiders.base import ArticleSpider


class PeopleSpider(ArticleSpider):
    name = "people"
    allowed_domains = ["people.com.cn", "people.cn"]
    start_urls = [
        "http://politics.people.com.cn/GB/1024/index.html", "http://society.people.com.cn/GB/136657/index.html",
        "http://finance.people.com.cn/GB/70846/index.html", "http://world.people.com.cn/GB/157278/index.html",
        "http://opinion.people.com.cn/GB/8213/49160/index.html", "http://military.people.com.cn/GB/172467/index.html",
        "http://edu.people.com.cn/GB/1053/index.html", "http://health.people.com.cn/GB/408568/index.html",
    ]
    # /n1/2024/0424/c1001-40223222.html (n1: central channels, n2: regional), /GB/<channel>/<id>.html (old).
    article_url_pattern = r"/n\d?/\d{4}/\d{4}/c\d+-\d+\.html|/GB/(?:\d+/)+\d{6,}\.html"
    # 2020+ template: .rm_txt; 2013-2019: .text_title/.box01/#rwb_zw; 2009-2012: #p_title/#p_publishtime/#p_content.
    selectors = {
        "title": [".rm_txt h1", ".text_title h1", "#p_title", ".clearfix h1", "h1"],
        "published_at": [".rm_txt .channel .col-1-1", ".text_title .box01 .fl", "#p_publishtime", ".box01 .fl",
                         ".artOri", ".text_title .sou"],
        "authors": [".rm_txt .author", ".text_title .author", "#p_author"],
        "source": [".rm_txt .channel .col-1-1 a", ".box01 .fl a", "#p_origin a", ".artOri a"],
        "category": ["(//*[@id='rwb_navpath']/a)[position()>1]//text()[normalize-space()]",
                     "(//div[contains(@class,'route')]/a)[position()>1]//text()[normalize-space()]"],
        "body": [".rm_txt_con", "#rwb_zw", ".box_con", "#p_content", ".show_text", ".artDet"],
        "next_page": ["//div[contains(@class,'zdfy')]//a[contains(., '下一页')]",
                      "//div[@id='rwb_zw']//center//a[contains(., '下一页')]"],
    }
    noise_selectors = [".edit", ".paper_num", ".zdfy", "center", ".section-common-share-wrap", ".rm_relevant",
                       ".box_pic:empty", "#p_editor", ".otitle", "#rwb_tjyd", ".bza"]
    watermark_rules = ["re:^人民网.{0,8}(?:版权所有|未经书面授权).*$"]
