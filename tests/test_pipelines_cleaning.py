"""The three cleaning pipelines on real crawlers: fields, counts, stats, logs and the seed page."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.cleaning.keys import line_key
from crawler.extract.article import SiteRules, extract_page
from crawler.extract.dates import get_tz
from crawler.items import ArticleItem
from crawler.pipelines.drop_repeated_paragraphs import DropRepeatedParagraphsPipeline
from crawler.pipelines.normalize_text import NormalizeTextPipeline
from crawler.pipelines.strip_boilerplate import StripBoilerplatePipeline

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=get_tz("Asia/Shanghai"))
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_cfa4cc68842c39b6.txt"
PIPELINES = (NormalizeTextPipeline, StripBoilerplatePipeline, DropRepeatedParagraphsPipeline)


class SiteSpider(Spider):
    name = "site"
    watermark_rules: ClassVar[list[str]] = ["本站原创，欢迎分享", "re:^【本站记者.{1,6}】"]
    timezone = "Asia/Shanghai"


def make_crawler(settings: dict[str, Any] | None = None, spidercls: type[Spider] = SiteSpider):
    crawler = get_crawler(spidercls, {"STATE_ENABLED": False, **(settings or {})})
    crawler.spider = spidercls.from_crawler(crawler)
    crawler.stats.open_spider()
    return crawler


def run(item: ArticleItem, settings: dict[str, Any] | None = None, crawler=None) -> ArticleItem:
    crawler = crawler or make_crawler(settings)
    for cls in PIPELINES:
        item = build_from_crawler(cls, crawler).process_item(item)
    return item


def page(title: str, lines: list[str]) -> str:
    """A page of our own around the text, as a portal would print it."""
    paragraphs = "\n".join(f"<p>{line}</p>" for line in lines)
    head = f"<head><title>{title}</title></head>"
    return f"<html>{head}<body><h1>{title}</h1><div class='content'>{paragraphs}</div></body></html>"


def item_from_page(html: str, url: str = "https://example.com/a/1.html") -> ArticleItem:
    """The item the extraction gives for the page (furniture read into fields and out of the body)."""
    page = extract_page(url, html, SiteRules(selectors={"title": "h1", "body": "div.content"}), NOW)
    return ArticleItem(url=url, site="site", title=page.title or "", body=page.body, category=page.category,
                       source=page.source, extra=dict(page.extra),
                       cleaning={"furniture": len(page.furniture)} if page.furniture else {})


# --- the seed: one clean copy -------------------------------------------------------------------

FURNITURE = ("您的位置", "Next Article", "喜欢就按个赞吧", "点击关闭提示")


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is absent")
def test_seed_page_comes_out_as_one_clean_copy(caplog: pytest.LogCaptureFixture) -> None:
    raw = [line.strip() for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]
    title = raw[1]
    slogan_key = line_key("微趨道,就是小程式")
    # Expected: the first copy's paragraphs, each once, in order: no slogan, furniture or title.
    expected: list[str] = []
    for line in raw[2:]:
        key = line_key(line)
        if key == slogan_key or line.startswith(FURNITURE):
            continue
        if key in {line_key(e) for e in expected} or any(key in line_key(e) for e in expected):
            continue
        expected.append(line)
    crawler = make_crawler({"CLEANING_LOG": True})
    with caplog.at_level(logging.WARNING):
        item = run(item_from_page(page(title, raw)), crawler=crawler)
    body = item.body
    assert body == expected
    assert item.category == ["科技"]
    assert not any("微趨道,就是小程式" in line or "微趨道, 就是小程式" in line for line in body)
    assert not any(line.startswith(FURNITURE) for line in body)
    assert len({line_key(line) for line in body}) == len(body)
    assert item.cleaning["watermark"] >= 30 and item.cleaning["repeated_paragraph"] >= 20
    assert item.cleaning["furniture"] == 1 and item.cleaning["boilerplate"] == 3
    stats = crawler.stats.get_stats()
    assert stats["cleaning/watermark"] == item.cleaning["watermark"]
    assert stats["cleaning/repeated_paragraph"] == item.cleaning["repeated_paragraph"]
    log = item.extra["cleaning_log"]
    assert sum(entry["kind"] == "watermark" for entry in log) == item.cleaning["watermark"]
    assert len("\n".join(item.body)) > 0.5 * len("\n".join(raw))  # the second copy is partial: no shrink warning
    assert not caplog.records


def test_body_shrunk_below_half_is_logged_with_its_url(caplog: pytest.LogCaptureFixture) -> None:
    crawler = make_crawler()
    with caplog.at_level(logging.WARNING):
        item = run(
            ArticleItem(url="https://example.com/x.html", site="site", body=PARAS * 3), crawler=crawler
        )
    assert item.body == PARAS
    assert any("https://example.com/x.html" in r.getMessage() for r in caplog.records)
    assert crawler.stats.get_value("cleaning/shrunk_below_half") == 1


def test_seed_cleaning_is_deterministic_whatever_else_was_crawled() -> None:
    lines = ["为何是手淘？", "据了解，阿里巴巴在移动端保持着持续增长，年度活跃用户达到5.49亿。", "点击关闭提示"]
    crawler = make_crawler()
    first = run(ArticleItem(url="u1", site="site", body=lines * 2), crawler=crawler).body
    for i in range(5):
        other = [f"别的文章{i}，内容完全不同。", "为何是手淘？"]
        run(ArticleItem(url=f"o{i}", site="site", body=other), crawler=crawler)
    again = run(ArticleItem(url="u1", site="site", body=lines * 2), crawler=crawler).body
    assert first == again == lines[:2]


# --- fields, rules, counts ------------------------------------------------------------------------

PARAS = [
    "新华社北京1月1日电 今年以来，我国经济运行总体平稳，主要指标保持在合理区间。",
    "国家统计局相关负责人表示，下一阶段将继续加强监测，及时发布权威数据。",
    "专家认为，随着各项政策落地见效，市场信心将进一步增强，消费有望持续回暖。",
    "原标题：经济运行总体平稳",
]


def test_cleaning_only_removes_and_furniture_is_read_at_extraction() -> None:
    body = ["当前位置：首页 > 财经 > 宏观 > 正文", *PARAS, "来源：新华社", "（责任编辑：李明）"]
    item = item_from_page(page("经济平稳", body))
    assert item.category == ["财经", "宏观"] and item.source == "新华社"
    assert item.extra == {"editor": "李明", "original_title": "经济运行总体平稳"}
    assert item.body == PARAS and item.cleaning == {"furniture": 3}  # 原标题 stays in the body
    cleaned = run(item)
    assert (cleaned.body, cleaned.category, cleaned.source) == (PARAS, ["财经", "宏观"], "新华社")
    # a furniture line left in a body (an item built elsewhere) is no rule match: the pipelines keep it
    assert run(ArticleItem(url="u", site="site", body=[*PARAS, "来源：新华社"])).body == [*PARAS, "来源：新华社"]


def test_a_related_content_tail_ends_the_article() -> None:
    teasers = ["延伸阅读：", "经济数据解读之一", "经济数据解读之二", "经济数据解读之三"]
    item = run(ArticleItem(url="u", site="site", body=[*PARAS[:3], *teasers]))
    assert item.body == PARAS[:3] and item.cleaning["boilerplate"] == 4
    # the same marker above real text is one line: only the marker goes
    item = run(ArticleItem(url="u", site="site", body=["点击进入专题：经济观察", *PARAS[:3]]))
    assert item.body == PARAS[:3]
    menu = ["1、回复【公租房】查看最新消息", "2、回复【社保】查看办理指南"]
    assert run(ArticleItem(url="u", site="site", body=[*PARAS[:3], *menu])).body == PARAS[:3]


def test_spider_rules_and_title_watermark() -> None:
    body = ["【本站记者 王五】" + PARAS[0], "本站原创，欢迎分享", *PARAS[1:3]]
    item = run(ArticleItem(url="u", site="site", title="经济平稳 本站原创,欢迎分享", body=body))
    assert item.body == PARAS[:3]
    assert item.title == "经济平稳"
    assert item.cleaning["watermark"] == 3


def test_automatic_watermark_also_leaves_the_title() -> None:
    slogan = "早知道财经，每天三分钟"
    body = [PARAS[0], slogan, PARAS[1], slogan, PARAS[2], slogan]
    item = run(ArticleItem(url="u", site="site", title=f"经济平稳｜{slogan}", body=body))
    assert item.body == PARAS[:3] and item.title == "经济平稳｜"
    assert item.cleaning["watermark"] == 4


def test_normalisation_counts_and_script_setting() -> None:
    item = ArticleItem(url="u", site="site", title="手機&amp;淘寶", body=["正文\u200b一段&nbsp;內容。", " ", "二"])
    item = run(item, {"TEXT_SCRIPT": "hans"})
    assert item.title == "手机&淘宝" and item.body == ["正文一段 内容。", "二"]
    assert item.cleaning["html_entities"] == 2 and item.cleaning["invisible_chars"] == 1
    assert item.cleaning["script"] == 2
    with pytest.raises(ValueError):
        build_from_crawler(NormalizeTextPipeline, make_crawler({"TEXT_SCRIPT": "latin"}))


def test_clean_item_is_untouched() -> None:
    item = ArticleItem(url="u", site="site", title="经济平稳", body=list(PARAS), tags=["a"])
    out = run(item)
    assert out.body == PARAS and out.title == "经济平稳" and out.tags == ["a"]
    assert out.cleaning == {} and "cleaning_log" not in out.extra


def test_learned_boilerplate_goes_after_n_articles() -> None:
    crawler = make_crawler({"BOILERPLATE_LEARN": True, "BOILERPLATE_MIN_ARTICLES": 3})
    footer = "更多精彩内容，请下载本站客户端阅读"
    bodies = []
    for i in range(4):
        body = [f"第{i}篇文章的第一段，讲述了完全不同的第{i}件事情，细节丰富。", "图片来源：视觉中国", footer]
        bodies.append(run(ArticleItem(url=f"u{i}", site="site", body=body), crawler=crawler))
    assert [footer in item.body for item in bodies] == [True, True, False, False]
    assert all("图片来源：视觉中国" in item.body for item in bodies)  # captions are never learned
    assert bodies[3].cleaning["learned_boilerplate"] == 1
    assert crawler.stats.get_value("cleaning/learned_boilerplate") == 2


def test_learning_is_off_without_durable_state() -> None:
    crawler = make_crawler({"BOILERPLATE_MIN_ARTICLES": 1})
    item = run(ArticleItem(url="u", site="site", body=list(PARAS)), crawler=crawler)
    assert item.body == PARAS


def test_same_text_under_two_urls_counts_as_one_article() -> None:
    crawler = make_crawler({"BOILERPLATE_LEARN": True, "BOILERPLATE_MIN_ARTICLES": 2})
    for url in ("u1", "u2", "u3"):
        item = run(ArticleItem(url=url, site="site", body=list(PARAS)), crawler=crawler)
    assert item.body == PARAS


def test_rules_file_setting(tmp_path: Path) -> None:
    rules = tmp_path / "rules.txt"
    rules.write_text("# only this\n本地规则行\n", encoding="utf-8")
    item = run(
        ArticleItem(url="u", site="site", body=[*PARAS[:2], "本地规则行", "点击关闭提示"]),
        {"BOILERPLATE_RULES_FILE": str(rules)},
    )
    assert item.body == [*PARAS[:2], "点击关闭提示"]
    assert item.cleaning == {"boilerplate": 1, "removed_chars": 6}


def test_learned_boilerplate_survives_a_restart_with_the_sqlite_store(tmp_path: Path) -> None:
    settings = {"STATE_ENABLED": True, "STATE_PATH": str(tmp_path / "state.sqlite"), "BOILERPLATE_MIN_ARTICLES": 3}
    footer = "更多精彩内容，请下载本站客户端阅读"

    def article(i: int) -> ArticleItem:
        body = [f"第{i}篇文章的第一段，讲述了完全不同的第{i}件事情，细节编号{i * 7919}。", footer]
        return ArticleItem(url=f"u{i}", site="site", body=body)

    from crawler.state import get_store

    first = make_crawler(settings)
    assert footer in run(article(0), crawler=first).body
    assert footer in run(article(1), crawler=first).body
    get_store(first).close()
    second = make_crawler(settings)  # a new crawl on the same state
    assert footer not in run(article(2), crawler=second).body
    get_store(second).close()
