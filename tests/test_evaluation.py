"""crawler.evaluation: the three corpus layouts, the metrics, the fixed halves; and `scrapy evaluate` on them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from crawler.evaluation import (
    body_score,
    exact_match,
    load_corpus,
    score_page,
    snippet_counts,
    split_of,
    summarise,
)

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ("<html><head><title>Bridge opens</title></head><body><div class='nav'><a href='/'>Home</a></div>"
           "<div class='story'><h1>Bridge opens</h1><p>The new bridge across the river opened to traffic on Saturday "
           "morning, three years after work began on its foundations.</p><p>The mayor said the crossing would cut the "
           "journey between the two districts from forty minutes to ten, and the old ferry will close.</p></div>"
           "<div class='footer'>Copyright 2026 City News</div></body></html>")
BODY = ("The new bridge across the river opened to traffic on Saturday morning, three years after work began on its "
        "foundations.\nThe mayor said the crossing would cut the journey between the two districts from forty minutes "
        "to ten, and the old ferry will close.")


def test_body_score_and_exact_match():
    assert body_score("a b c", "a b c d").recall == 0.75
    assert exact_match("Bridge, opens!", "bridge opens") and not exact_match("opens bridge", "bridge opens")


def test_snippets_count_with_and_without_ignoring_whitespace():
    counts = snippet_counts("The new bridge\nopened today.", ["new  bridge opened", "ferry"], ["Copyright"])
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (1, 1, 0, 1)
    assert counts.score.precision == 1.0 and counts.score.recall == 0.5


def test_invisible_characters_are_not_text():
    # a label keeps the soft hyphens of the page ("Über\u00adle\u00adbens"); the cleaned body has none
    assert snippet_counts("Das Überlebens aller", ["Über\u00adle\u00adbens"], []).tp == 1
    assert body_score("Überlebens heute", "Über\u00adle\u00adbens\u200b heute").f1 == 1.0
    assert snippet_counts("Überlebens", ["Über-le-bens"], []).tp == 0  # a visible hyphen is text


def test_halves_are_fixed_and_balanced():
    ids = [f"page-{i}" for i in range(2000)]
    halves = [split_of(i) for i in ids]
    assert halves == [split_of(i) for i in ids]
    assert 900 < halves.count("tune") < 1100


def write_layouts(tmp: Path) -> None:
    (tmp / "labelled" / "site").mkdir(parents=True)
    (tmp / "labelled" / "site" / "a.html").write_text(ARTICLE)
    (tmp / "labelled" / "site" / "a.json").write_text(json.dumps(
        {"id": "site/a", "url": "https://news.example.com/a.html", "spider": None,
         "expected": {"title": "Bridge opens", "body": BODY}}))
    for name, row in (("gold", {"subset": "l3s", "body": BODY}),
                      ("snip", {"with": ["old ferry will close"], "without": ["Copyright 2026"]})):
        (tmp / name / "html").mkdir(parents=True)
        (tmp / name / "html" / "x1.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
        (tmp / name / "labels.jsonl").write_text(json.dumps({"id": "x1", "url": None, "path": "html/x1.html.gz", **row})
                                                 + "\n")


def test_the_three_layouts_load(tmp_path: Path):
    write_layouts(tmp_path)
    (labelled,) = load_corpus(tmp_path / "labelled")
    (gold,) = load_corpus(tmp_path / "gold")
    (snip,) = load_corpus(tmp_path / "snip")
    assert (labelled.group, gold.group, snip.group) == ("generic", "l3s", "snippets")
    assert gold.read()[2] == ARTICLE.encode() and gold.read()[0] == "http://example.com/"
    assert score_page(gold.label, {"body": BODY}, gold.group).exact
    result = score_page(snip.label, {"body": BODY}, snip.group, split=snip.split)
    assert result.snippets is not None and result.snippets.tp == 1 and result.snippets.fp == 0
    summary = summarise([result], by_split=True)
    assert summary["snippets"]["f1"] == 1.0 and f"snippets/{snip.split}" in summary


def test_every_extractor_compared_reads_the_page_as_the_crawl_does(tmp_path: Path):
    # a saved GBK page that declares Latin-1: a bare HtmlResponse reads it as cp1252 and gives mojibake
    chinese = ('<html><head><meta charset="iso-8859-1"></head><body><h1>大桥通车</h1>'
               "<p>新建的跨江大桥周六上午正式通车，两岸居民出行时间大大缩短。</p></body></html>")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.html").write_bytes(chinese.encode("gbk"))
    (tmp_path / "site" / "a.json").write_text(json.dumps({"id": "site/a", "url": None, "spider": None,
                                                          "expected": {"body": "x"}}))
    (page,) = load_corpus(tmp_path)
    assert "新建的跨江大桥周六上午正式通车" in page.html()


def test_scrapy_evaluate_scores_every_layout(tmp_path: Path):
    write_layouts(tmp_path)
    for name, group in (("labelled", "generic"), ("gold", "l3s"), ("snip", "snippets")):
        proc = subprocess.run([sys.executable, "-m", "scrapy", "evaluate", str(tmp_path / name)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.strip()}
        assert rows[group][1:5] == ["1", "1.000", "1.000", "1.000"], proc.stdout
        assert "ALL" in rows and "ms a page" in proc.stdout


def test_files_that_are_not_labels_are_named_and_skipped(tmp_path: Path):
    (tmp_path / "fixture.html").write_text(ARTICLE)
    (tmp_path / "fixture.json").write_text(json.dumps({"url": "http://example.com/", "item": {"title": "x"}}))
    (tmp_path / "list.html").write_text(ARTICLE)
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "broken.html").write_text(ARTICLE)
    (tmp_path / "broken.json").write_text("{not json")
    assert load_corpus(tmp_path) == []
    proc = subprocess.run([sys.executable, "-m", "scrapy", "evaluate", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"Not a label, skipped: {tmp_path / 'broken.json'}" in proc.stderr
    assert f"Not a label, skipped: {tmp_path / 'list.json'}" in proc.stderr
    assert f"no labelled pages under {tmp_path}" in proc.stderr
