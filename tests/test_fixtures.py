"""Every fixture page through its spider and the cleaning pipelines gives exactly the stored item."""

from __future__ import annotations

import pytest
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.fixtures import FIXTURES_DIR, item_diff, load_fixtures, run_fixture
from crawler.items import ArticleItem
from crawler.offline import OfflineExtractor

FIXTURES = load_fixtures()
SPIDERS = get_spider_loader(get_project_settings()).list()


@pytest.fixture(scope="module")
def extractor() -> OfflineExtractor:
    return OfflineExtractor()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.spider}/{f.case}" for f in FIXTURES])
def test_fixture_item(extractor: OfflineExtractor, fixture) -> None:
    got = run_fixture(extractor, fixture)
    assert not item_diff(fixture.item, got), "\n".join(item_diff(fixture.item, got))


def test_every_spider_has_fixtures() -> None:
    covered = {f.spider for f in FIXTURES}
    missing = sorted(set(SPIDERS) - covered)
    assert not missing, f"spiders without a fixture: {missing}"


def test_every_fixture_names_a_spider() -> None:
    dirs = {p.name for p in FIXTURES_DIR.iterdir() if p.is_dir()}
    assert not dirs - set(SPIDERS), f"fixture folders without a spider: {sorted(dirs - set(SPIDERS))}"
    for fixture in FIXTURES:
        assert fixture.html_path.exists(), f"{fixture.json_path} has no page"


def test_fixture_items_follow_the_schema() -> None:
    fields = set(ArticleItem.__dataclass_fields__)
    for fixture in FIXTURES:
        if fixture.item is not None:
            assert set(fixture.item) == fields, fixture.json_path
            for name in ("published_at", "updated_at", "crawled_at"):
                value = fixture.item[name]
                assert value is None or value[-6] in "+-", f"{fixture.json_path}: naive {name} {value}"
