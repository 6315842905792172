"""The whole extraction and cleaning stack on the real saved pages of ../shared/corpus, against floors.

The floors sit a little under what was measured on 2026-11-24 (README): a drop below one means a
change made extraction worse. Skipped where the corpus is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.commands.evaluate import evaluate
from crawler.evaluation import summarise
from crawler.offline import OfflineExtractor

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
pytestmark = [pytest.mark.corpus, pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")]

# measured: every spider >= 0.983 except sohu (0.574: its label stops at the 展开全文 fold, we keep the article)
SITE_F1_FLOOR = {"sohu": 0.55}
SITE_F1_DEFAULT = 0.98


@pytest.fixture(scope="module")
def sites() -> dict[str, dict[str, float | int]]:
    results, _ = evaluate(str(CORPUS / "sites"), OfflineExtractor())
    assert not [r.id for r in results if r.error], "every corpus page gives an item"
    return summarise(results)


def test_each_site_spider_keeps_its_body_f1(sites: dict[str, dict[str, float | int]]) -> None:
    low = {name: round(float(row["f1"]), 3) for name, row in sites.items()
           if name != "ALL" and "f1" in row and row["f1"] < SITE_F1_FLOOR.get(name, SITE_F1_DEFAULT)}
    assert not low, f"body F1 under the floor: {low}"


def test_site_titles_and_dates(sites: dict[str, dict[str, float | int]]) -> None:
    overall = sites["ALL"]
    assert overall["title"] >= 0.96  # 28/29; the miss is a label that keeps the portal suffix
    assert overall["day"] == 1.0
    assert overall["minute"] >= 0.96  # 28/29; the miss is a label read from a day-only meta tag


def test_site_bodies_match_their_labels_token_for_token() -> None:
    """Exact body match (the label's tokens in the label's order): measured 26 of the 29 labelled bodies."""
    from crawler.evaluation import labelled_pages, tokens

    extractor = OfflineExtractor()
    exact = total = 0
    for html, label in labelled_pages(str(CORPUS / "sites")):
        expected = (label.get("expected") or {}).get("body")
        if not expected:
            continue
        total += 1
        outcome = extractor.extract(Path(html).read_bytes(), label["url"], label["spider"])
        exact += outcome.item is not None and tokens(outcome.item["body"]) == tokens(expected)
    assert total == 29 and exact >= 25, f"{exact} of {total}"


def test_generic_path_beats_the_libraries() -> None:
    results, _ = evaluate(str(CORPUS / "generic"), OfflineExtractor())
    assert not [r.id for r in results if r.error]
    assert summarise(results)["ALL"]["f1"] >= 0.96  # measured 0.978; readability-lxml 0.913, trafilatura 0.899
