"""ValidateArticlePipeline: implausible dates leave published_at, with a stat, a log line and the monitor failing."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.pipelines.validate_article import ValidateArticlePipeline
from crawler.spiders.base import ArticleSpider


class SiteSpider(ArticleSpider):
    name = "site"


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def item(published: str | None, updated: str | None = None) -> ArticleItem:
    """An item as the extraction builds it: aware datetimes, the body a list of paragraphs."""
    return ArticleItem(url="https://example.com/a/1.html", site="site", title="t", published_at=_dt(published),
                       updated_at=_dt(updated), body=["正文" * 20], crawled_at=_dt("2026-11-25T10:00:00+08:00"),
                       extra={})


@pytest.fixture
def pipeline() -> ValidateArticlePipeline:
    crawler = get_crawler(SiteSpider, {"STATE_ENABLED": False})
    crawler.spider = SiteSpider.from_crawler(crawler)
    return ValidateArticlePipeline(crawler)


@pytest.mark.parametrize(("published", "updated", "moved"), [
    ("2099-01-01T08:00:00+08:00", None, ["published_at"]),
    ("1970-01-01T08:00:00+08:00", "2099-05-01T00:00:00+00:00", ["published_at", "updated_at"]),
    ("1989-12-31T23:59:00+08:00", None, ["published_at"]),
    ("2026-11-27T09:00:00+08:00", None, ["published_at"]),  # 47 h after the crawl
])
def test_implausible_dates_move_to_extra(pipeline, caplog, published, updated, moved) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        out = pipeline.process_item(item(published, updated))
    for name in moved:
        assert getattr(out, name) is None
        assert out.extra[f"implausible_{name}"] == {"published_at": published, "updated_at": updated}[name]
    assert pipeline.crawler.stats.get_value("validate/implausible_date") == 1
    (record,) = [r for r in caplog.records if "Implausible date" in r.getMessage()]
    assert "https://example.com/a/1.html" in record.getMessage()


@pytest.mark.parametrize("published", ["2026-11-26T09:00:00+08:00", "1990-01-01T00:00:00+08:00",
                                       "2019-09-07T13:43:45+08:00", None])
def test_plausible_dates_stay(pipeline, published) -> None:  # type: ignore[no-untyped-def]
    out = pipeline.process_item(item(published))
    assert out.published_at == _dt(published) and "implausible_published_at" not in out.extra
    assert pipeline.crawler.stats.get_value("validate/implausible_date") is None
