"""The real engine crawls a fixture site on 127.0.0.1: list pagination, articles, a multi-page article, a GBK page."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from crawler.demo import FixtureSite, crawl_command
from crawler.fixtures import load_fixtures
from crawler.items import ArticleItem
from tests.crawlutil import parse_stats, read_jsonl, run_crawl

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def site():
    with FixtureSite([f for f in load_fixtures() if f.spider == "generic"]) as running:
        yield running


def test_generic_crawl_of_a_local_portal(site: FixtureSite, tmp_path: Path) -> None:
    result = run_crawl(["generic", "-a", f"start_urls={site.base_url}/news/index.html", "-a", "allow=/article/",
                        "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path)
    by_path = {item["url"].removeprefix(site.base_url): item for item in result.items}
    assert sorted(by_path) == [
        "/article/2026/11/19/gbk-notice.html",
        "/article/2026/11/20/school-lunch.html",
        "/article/2026/11/21/library.html",
        "/article/2026/11/22/night-market.html",
        "/article/2026/11/23/river-bridge.html",
    ], result.log[-3000:]
    # The multi-page article is one item, its pages stitched in order.
    market = by_path["/article/2026/11/22/night-market.html"]
    assert market["pages"] == 3
    lines = market["body"].split("\n")
    assert lines[0].startswith("老城区夜市在停业改造八个月后") and lines[-1].startswith("下一步，街区还计划")
    assert len(lines) == 6
    # The GBK page decodes.
    assert "江景花园" in by_path["/article/2026/11/19/gbk-notice.html"]["body"]
    # Every item follows the schema, with aware dates.
    for item in result.items:
        assert set(item) == set(ArticleItem.__dataclass_fields__)
        assert datetime.fromisoformat(item["published_at"]).utcoffset() is not None
        assert item["site"] == "generic"
    assert by_path["/article/2026/11/23/river-bridge.html"]["published_at"] == "2026-11-23T09:30:12+08:00"
    # Stats: what was stored, what was rejected, the list pages walked.
    stats = result.stats
    assert stats["store/items"] == 5
    assert stats["articles/multipage"] == 1
    assert stats["pages/list"] >= 2  # the section page and its second page
    assert stats.get("downloader/response_status_count/404", 0) >= 1  # dead links are logged and counted


def test_limit_stops_after_n_articles(site: FixtureSite, tmp_path: Path) -> None:
    result = run_crawl(["generic", "-a", f"start_urls={site.base_url}/news/index.html", "-a", "allow=/article/",
                        "-a", "limit=2", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
                        "-s", "CONCURRENT_REQUESTS=1"], tmp_path)
    assert len(result.items) == 2
    assert "limit" in result.log


def test_since_skips_older_articles(site: FixtureSite, tmp_path: Path) -> None:
    result = run_crawl(["generic", "-a", f"start_urls={site.base_url}/news/index.html", "-a", "allow=/article/",
                        "-a", "since=2026-11-21", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"],
                       tmp_path)
    dates = sorted(item["published_at"][:10] for item in result.items)
    assert dates and dates[0] >= "2026-11-21", dates
    assert result.stats["articles/skipped_since"] >= 1


def test_demo_command_line_is_a_real_crawl(site: FixtureSite, tmp_path: Path) -> None:
    import subprocess

    from tests.crawlutil import ROOT

    proc = subprocess.run([*crawl_command("generic", site.base_url + "/news/index.html", tmp_path),
                           "-s", "LOG_LEVEL=INFO"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert len(read_jsonl(tmp_path, "generic")) == 5
    assert parse_stats(proc.stderr)["store/items"] == 5


def test_a_failed_later_page_keeps_the_pages_read(tmp_path: Path) -> None:
    fixtures = [f for f in load_fixtures() if f.spider == "generic" and f.case != "night-market_3"]
    with FixtureSite(fixtures) as partial:
        result = run_crawl(["generic", "-a", f"start_urls={partial.base_url}/news/index.html", "-a", "allow=/article/",
                            "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path)
    market = next(i for i in result.items if i["url"].endswith("/night-market.html"))
    assert market["pages"] == 2
    assert market["body"].split("\n")[-1].startswith("街道办工作人员表示")
    assert result.stats["articles/incomplete"] == 1
    assert "Page 3 of" in result.log and "night-market.html failed" in result.log


def test_generic_without_allow_tries_every_page_it_follows(site: FixtureSite, tmp_path: Path) -> None:
    result = run_crawl(["generic", "-a", f"start_urls={site.base_url}/news/index.html", "-a", "depth=1",
                        "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path)
    paths = {item["url"].removeprefix(site.base_url) for item in result.items}
    assert "/article/2026/11/23/river-bridge.html" in paths  # linked from the start page
    assert "/article/2026/11/19/gbk-notice.html" not in paths  # two links away: past depth 1
    assert result.stats["articles/rejected/no_body"] >= 1  # the section page itself is no article


def test_a_single_url_is_one_article_and_nothing_more(site: FixtureSite, tmp_path: Path) -> None:
    result = run_crawl(["generic", "-a", f"url={site.base_url}/article/2026/11/23/river-bridge.html",
                        "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path)
    assert [item["title"] for item in result.items] == ["滨江二桥主体合龙 明年五一前通车"]
    assert result.stats["downloader/response_count"] == 1


def test_the_feed_exporter_still_works_beside_the_store(site: FixtureSite, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_crawl(["generic", "-a", f"url={site.base_url}/article/2026/11/21/library.html", "-O", str(out),
                        "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path / "data")
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [item["title"] for item in exported] == [item["title"] for item in result.items]
    # the same schema: the body as text, dates as ISO strings with their offset (the fields' serializers)
    assert exported == result.items
    assert isinstance(exported[0]["body"], str) and exported[0]["published_at"].endswith("+08:00")


def test_a_multipage_article_crawls_without_a_warning(site: FixtureSite, tmp_path: Path) -> None:
    """The next-page request carries the project's meta keys only: Scrapy warns when a request copies
    the internal ones of a response (download_latency, download_slot ...)."""
    result = run_crawl(["generic", "-a", f"url={site.base_url}/article/2026/11/22/night-market.html",
                        "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False"], tmp_path)
    assert [item["pages"] for item in result.items] == [3]
    assert result.stats["articles/multipage"] == 1
    warnings = [line for line in result.log.splitlines() if "WARNING" in line]
    assert not warnings, warnings


def test_make_demo_twice_writes_a_fresh_folder_each_time_without_warnings(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.crawlutil import ROOT

    def demo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crawler.demo", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, check=False)

    for run in ("first", "second"):
        proc = demo("generic", "netease", "--data-dir", str(tmp_path / run))
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
        assert f"This run wrote 8 articles under {tmp_path / run}/" in proc.stdout
        rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.startswith(("generic ",
                                                                                                      "netease "))}
        assert rows["generic"][1] == "5" and rows["netease"][1] == "3"
        assert rows["generic"][-3] == rows["netease"][-3] == "0"  # the warnings column: the crawls logged none
        assert len(read_jsonl(tmp_path / run)) == 8
    market = next(i for i in read_jsonl(tmp_path / "second", "generic") if i["url"].endswith("night-market.html"))
    assert market["pages"] == 3  # pages the local copy holds are followed
    again = demo("generic", "--data-dir", str(tmp_path / "first"))
    assert again.returncode == 2 and "not empty" in again.stderr
    failed = demo("nosuchspider", "--data-dir", str(tmp_path / "third"))
    assert failed.returncode == 1 and "demo: the crawl of nosuchspider failed" in failed.stderr
