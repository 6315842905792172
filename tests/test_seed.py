"""The seed (an article as a scraper delivered it) as a fixture page, through extraction and cleaning."""

from __future__ import annotations

from crawler.fixtures import load_fixtures, run_fixture
from crawler.offline import OfflineExtractor

FURNITURE = ("您的位置", "Next Article", "喜欢就按个赞吧", "点击关闭提示")


def test_the_seed_page_comes_out_as_one_clean_copy() -> None:
    fixture = next(f for f in load_fixtures() if f.spider == "generic" and f.case == "seed")
    item = run_fixture(OfflineExtractor(), fixture)
    assert item is not None
    lines = item["body"].split("\n")
    assert item["category"] == ["科技"]
    assert not any("就是小程式" in line for line in lines)
    assert not any(line.startswith(FURNITURE) for line in lines)
    assert len(set(lines)) == len(lines)  # every paragraph once
    assert lines[0].startswith("日前, 一位熟悉阿裡巴巴生態鏈的業內人士")
    assert lines[-1].startswith("“阿裡是王國,騰訊是聯盟。")
    assert lines.count("為何是手淘?") == 1
    assert item["cleaning"]["watermark"] >= 30 and item["cleaning"]["repeated_paragraph"] >= 20
    raw = fixture.body().decode("utf-8")
    assert raw.count("為何是手淘?") >= 2 and raw.count("就是小程式") >= 10  # the page itself is dirty
