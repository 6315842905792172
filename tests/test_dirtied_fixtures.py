"""Short articles dirtied the way scrapers deliver them (``bench.watermarked``: a slogan at every paragraph,
the body twice, a breadcrumb, in every shape but one) come out of the whole stack exactly as their clean page
does."""

from __future__ import annotations

import pytest

from bench.watermarked import SHAPES, SLOGANS, dirty, leftovers
from crawler.fixtures import load_fixtures
from crawler.offline import OfflineExtractor

# four or five paragraphs with a caption or a subheading between them: the slogan stands beside a
# paragraph at most half of the time, yet it follows every paragraph
SHORT = {("generic", "river-bridge"), ("netease", "article_post_body"), ("thepaper", "pengpaihao"),
         ("wechat", "article"), ("qq", "rain_2023")}
FIXTURES = [f for f in load_fixtures() if (f.spider, f.case) in SHORT]
SLOGAN = SLOGANS["held"][1]


@pytest.fixture(scope="module")
def extractor() -> OfflineExtractor:
    return OfflineExtractor()


def test_the_short_fixtures_exist() -> None:
    assert {(f.spider, f.case) for f in FIXTURES} == SHORT


# "alternate" leaves two slogans in a four-paragraph article: too few to tell a slogan from a repeated line
@pytest.mark.parametrize("shape", [shape for shape in SHAPES if shape != "alternate"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.spider}/{f.case}" for f in FIXTURES])
def test_a_dirtied_short_article_comes_out_clean(extractor: OfflineExtractor, fixture, shape: str) -> None:
    gold = fixture.item["body"]
    page = dirty(fixture.html_path.read_bytes().decode("utf-8", "replace"), gold, SLOGAN, shape)
    # three paragraphs or more, each copy ("varied" changes the slogan's punctuation, not its first words)
    assert page is not None and page.count(SLOGAN[:7]) >= 6
    outcome = extractor.extract(page.encode("utf-8"), fixture.url, fixture.spider,
                                headers={"Content-Type": "text/html; charset=utf-8"})
    assert outcome.item is not None, outcome.error
    body = outcome.item["body"]
    assert leftovers(body, SLOGAN, gold) == (0, 0)
    assert body == gold
