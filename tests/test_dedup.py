"""DeduplicateArticlesPipeline and StoreJsonlPipeline with a real SQLite file: kinds, ordering, repair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import text as texts_of
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.pipelines.deduplicate_articles import DeduplicateArticlesPipeline
from crawler.pipelines.store_jsonl import StoreJsonlPipeline
from crawler.state import get_store
from crawler.state.minhash import Fingerprinter, estimate_jaccard, jaccard
from crawler.state.sqlite import SQLiteStore
from tests.dedup_texts import EDITOR_LINE, SAME_EVENT_OTHER, SAME_EVENT_THIRD, WIRE_STORY, changed_characters


class NewsSpider(Spider):
    name = "news"
    mobile_hosts = {"m.news.example.com": "news.example.com"}
    full = False


def make_crawler(tmp_path: Path, **settings: Any) -> Crawler:
    crawler = get_crawler(NewsSpider, {"DATA_DIR": str(tmp_path), **settings})
    crawler.spider = crawler._create_spider()
    return crawler


def item(url: str, body: str, **kw: Any) -> ArticleItem:
    return ArticleItem(url=url, site="news", title="标题", body=body, **kw)


def run(dedup: DeduplicateArticlesPipeline, store: StoreJsonlPipeline, it: ArticleItem) -> str | None:
    """Pass an item through both pipelines; the drop message, or None when stored."""
    try:
        store.process_item(dedup.process_item(it))
    except DropItem as exc:
        return str(exc)
    return None


@pytest.fixture
def pipelines(tmp_path: Path):  # type: ignore[no-untyped-def]
    crawler = make_crawler(tmp_path)
    dedup, store = DeduplicateArticlesPipeline(crawler), StoreJsonlPipeline(crawler)
    store.open_spider()
    yield crawler, dedup, store
    store.close_spider()
    get_store(crawler).close()


def test_thresholds_measured_on_real_texts() -> None:
    fp = Fingerprinter()
    base = fp.fingerprint(WIRE_STORY).signature
    for text in (WIRE_STORY + EDITOR_LINE, changed_characters(WIRE_STORY, 0.05),
                 changed_characters(WIRE_STORY, 0.05) + EDITOR_LINE):
        assert jaccard(WIRE_STORY, text, fp.shingle) > 0.6
        assert estimate_jaccard(base, fp.fingerprint(text).signature) >= fp.threshold
    for text in (SAME_EVENT_OTHER, SAME_EVENT_THIRD):
        assert jaccard(WIRE_STORY, text, fp.shingle) < 0.1
        assert estimate_jaccard(base, fp.fingerprint(text).signature) < fp.threshold
    assert fp.candidate_probability(0.65) > 0.99


def test_kinds_of_duplicates(pipelines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    crawler, dedup, store = pipelines
    assert run(dedup, store, item("https://news.example.com/a/1.html", WIRE_STORY)) is None
    assert run(dedup, store, item("https://news.example.com/b/2.html", SAME_EVENT_OTHER)) is None
    cases = {
        "https://news.example.com/a/1.html?utm_source=wx&spm=1#top": ("url", WIRE_STORY),
        "http://m.news.example.com/a/1.html": ("url", WIRE_STORY),
        "https://portal.example.org/x.html": ("exact", "  " + WIRE_STORY.replace("。", "。 ")),
        "https://other.example.org/y.html": ("near_duplicate", WIRE_STORY + EDITOR_LINE),
        "https://third.example.org/z.html": ("near_duplicate", changed_characters(WIRE_STORY, 0.05)),
    }
    for url, (kind, body) in cases.items():
        message = run(dedup, store, item(url, body))
        assert message is not None and f"({kind}) of https://news.example.com/a/1.html" in message, (url, message)
    assert run(dedup, store, item("https://news.example.com/c/3.html", SAME_EVENT_THIRD)) is None
    # a rel=canonical pointing at a stored article is a URL duplicate
    assert "(url)" in (run(dedup, store, item("https://x.example.net/1", "完全不同的正文" * 20,
                                              canonical_url="https://news.example.com/b/2.html")) or "")

    stats = crawler.stats.get_stats()
    counts = (stats["dedup/url"], stats["dedup/exact"], stats["dedup/near_duplicate"], stats["store/items"])
    assert counts == (3, 1, 2, 3)
    records = {d.url: d for d in get_store(crawler).duplicates(site="news")}
    assert len(records) == 6
    assert records["https://other.example.org/y.html"].duplicate_of == "https://news.example.com/a/1.html"
    assert records["https://other.example.org/y.html"].similarity >= 0.9
    lines = [json.loads(x) for x in next((tmp_path / "news").glob("*.jsonl")).read_text("utf-8").splitlines()]
    assert [x["url"] for x in lines] == ["https://news.example.com/a/1.html", "https://news.example.com/b/2.html",
                                         "https://news.example.com/c/3.html"]


def test_dedup_never_marks_stored(pipelines) -> None:  # type: ignore[no-untyped-def]
    crawler, dedup, store = pipelines
    first = item("https://news.example.com/a/1.html", WIRE_STORY)
    dedup.process_item(first)
    assert get_store(crawler).url_stored(["//news.example.com/a/1.html"]) is None
    # a second copy while the first is between dedup and store is still caught
    with pytest.raises(DropItem, match="exact"):
        dedup.process_item(item("https://elsewhere.example.com/1.html", WIRE_STORY))
    store.process_item(first)
    assert get_store(crawler).url_stored(["//news.example.com/a/1.html"]) == "https://news.example.com/a/1.html"


def test_torn_line_repaired_and_unregistered_lines_recognised(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    good = json.dumps({"url": "https://news.example.com/a/1.html", "site": "news", "body": WIRE_STORY},
                      ensure_ascii=False)
    path = folder / "2026-03-01.jsonl"
    path.write_text(good + "\n" + '{"url": "https://news.example.com/a/2.ht', encoding="utf-8")
    crawler = make_crawler(tmp_path)
    dedup, store = DeduplicateArticlesPipeline(crawler), StoreJsonlPipeline(crawler)
    store.open_spider()
    assert path.read_text("utf-8") == good + "\n"
    assert crawler.stats.get_value("store/torn_lines") == 1
    assert crawler.stats.get_value("store/registered_on_open") == 1
    with pytest.raises(DropItem, match="url"):
        dedup.process_item(item("https://news.example.com/a/1.html?from=timeline", WIRE_STORY))
    store.close_spider()
    get_store(crawler).close()
    # the next open reads nothing again: the checkpoint is at the end of the file
    state = SQLiteStore(tmp_path / "state.sqlite")
    assert state.get_checkpoint("jsonl:news/2026-03-01.jsonl") == path.stat().st_size
    state.close()
    crawler = make_crawler(tmp_path)
    store = StoreJsonlPipeline(crawler)
    store.open_spider()
    assert crawler.stats.get_value("store/registered_on_open") is None
    get_store(crawler).close()


def test_invalid_last_line_cut(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    path = folder / "2026-03-01.jsonl"
    good = json.dumps({"url": "https://news.example.com/a/1.html", "site": "news", "body": "x" * 60})
    path.write_text(good + "\n" + "{garbage}\n", encoding="utf-8")
    crawler = make_crawler(tmp_path)
    StoreJsonlPipeline(crawler).open_spider()
    assert path.read_text("utf-8") == good + "\n"
    get_store(crawler).close()


def test_numpy_signature_is_datasketchs_bit_for_bit() -> None:
    """The signature is computed in numpy; it must stay the MinHash datasketch gives, or stored bands stop matching."""
    import random

    import numpy as np
    from datasketch import MinHash

    from crawler.state.minhash import _band_key, normalise_body, shingle_hashes
    from tests.localsite import article_body

    fp = Fingerprinter()
    texts = ["", "a", "abc", "abcd", "的一是在", WIRE_STORY, SAME_EVENT_OTHER, WIRE_STORY * 30]
    texts += [article_body(i, paragraphs=random.Random(i).randint(1, 40)) for i in range(60)]
    for text in texts:
        normalised = normalise_body(text)
        reference = MinHash(num_perm=fp.num_perm, seed=fp.seed, hashfunc=int)
        assert reference.scheme == "affine32"
        hashes = shingle_hashes(normalised, fp.shingle)
        if len(hashes):
            reference.update_batch(hashes.tolist())
        expected = reference.hashvalues.astype("<u4").tobytes()
        got = fp.fingerprint(text)
        assert got.signature == expected, text[:20]
        values = np.frombuffer(expected, dtype="<u4")
        assert got.band_keys == tuple(_band_key(i, values[i * fp.rows:(i + 1) * fp.rows]) for i in range(fp.bands))


def _reference_normalise(text: str) -> str:
    import unicodedata

    from crawler.state.minhash import _NON_WORD

    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def test_ascii_punctuation_forms_are_what_unicode_says() -> None:
    import re
    import sys
    import unicodedata

    from crawler.state.minhash import _ASCII_PUNCT, _NON_WORD

    expected = [chr(cp) for cp in range(0x80, sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF
                and (k := unicodedata.normalize("NFKC", chr(cp))) != chr(cp) and k.isascii() and _NON_WORD.fullmatch(k)]
    listed = [chr(cp) for cp in range(0x80, 0x10000) if _ASCII_PUNCT.match(chr(cp))]
    assert listed == expected
    assert re.fullmatch(_ASCII_PUNCT.pattern + "+", "，：（）！？　")


ALPHABET = ("，。：；！？（）《》、…　＝＜＞＿＃ ＡＢａｂ０１abcABC123_-.=<>的一是在不了有和人这中大为上個國①™ﬁé"
            "\u0301\u0338\u0300ＡＢ\u3099\u309aが")


@settings(max_examples=400, deadline=None)
@given(texts_of(alphabet=ALPHABET, max_size=60))
def test_normalise_body_equals_the_plain_nfkc_reduction(value: str) -> None:
    from crawler.state.minhash import normalise_body

    assert normalise_body(value) == _reference_normalise(value)
