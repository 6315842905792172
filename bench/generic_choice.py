"""Which generic body extractor to use: trafilatura, readability-lxml, ours, combinations.

Scores every labelled page with a non-empty body under ``<corpus>/generic`` (first table)
and ``<corpus>/sites`` (second table, where the generic path is the fallback) with
``crawler.evaluation.body_score``, and prints mean P/R/F1 and ms/page per method, then
per-page F1. Run: ``.venv/bin/python bench/generic_choice.py [corpus_dir] [-v]``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import trafilatura
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_extract import read_page
from crawler.evaluation import Score, body_score, date_match, title_match
from crawler.extract.dates import parse_date, to_iso
from crawler.extract.generic import _lines, extract_generic

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
Page = tuple[str, str, str, str, dict]


def load(folder: Path) -> list[Page]:
    pages = []
    for label in sorted(folder.glob("*/*.json")):
        data = json.loads(label.read_text(encoding="utf-8"))
        expected = (data.get("expected") or {}).get("body") or ""
        if not expected.strip():
            continue
        url, _headers, _raw, html = read_page(label.with_suffix(".html"), data)
        pages.append((data["id"], url, html, expected, data["expected"]))
    return pages


def html_to_text(fragment: str) -> str:
    """Readability's HTML summary as paragraphs, block tags and <br> as boundaries."""
    return "\n".join(line.text for line in _lines(lxml.html.fromstring(fragment), "") if line.text)


def traf(**options: bool) -> Callable[[str, str], str]:
    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, url=url, deduplicate=False, **options) or ""

    return run


def readability(html: str, url: str) -> str:
    return html_to_text(Document(html).summary(html_partial=True))


def ours(html: str, url: str) -> str:
    return "\n".join(extract_generic(html, url).body)


def ours_or_traf(html: str, url: str) -> str:
    """Ours, falling back to trafilatura when ours finds a much shorter body."""
    mine = ours(html, url)
    other = traf(favor_precision=True)(html, url)
    return other if len(other) > 3 * len(mine) else mine


METHODS: dict[str, Callable[[str, str], str]] = {
    "trafilatura": traf(),
    "traf_precision": traf(favor_precision=True),
    "traf_recall": traf(favor_recall=True),
    "readability": readability,
    "ours": ours,
    "ours+traf": ours_or_traf,
}


def title_and_date(pages: list[Page]) -> None:
    """How often our title matches the label, and our date_text holds the label's day."""
    titles = dates = n_titles = n_dates = 0
    for _, url, html, _, label in pages:
        article = extract_generic(html, url)
        if label.get("title"):
            n_titles += 1
            titles += title_match(article.title, label["title"])
        if label.get("published_at"):
            n_dates += 1
            dates += date_match(to_iso(parse_date(article.date_text)), label["published_at"])[0]
    print(f"\nours: title match {titles}/{n_titles}, date_text gives the labelled day {dates}/{n_dates}")


def run(title: str, pages: list[Page], verbose: bool) -> None:
    results: dict[str, list[Score]] = {}
    print(f"\n## {title}: {len(pages)} pages\n")
    print(f"{'method':16s} {'P':>6s} {'R':>6s} {'F1':>6s} {'ms/page':>8s}")
    for name, method in METHODS.items():
        start = time.perf_counter()
        scores = [body_score(method(html, url), expected) for _, url, html, expected, _ in pages]
        ms = (time.perf_counter() - start) * 1000 / len(pages)
        results[name] = scores
        n = len(scores)
        print(
            f"{name:16s} {sum(s.precision for s in scores) / n:6.3f} {sum(s.recall for s in scores) / n:6.3f} "
            f"{sum(s.f1 for s in scores) / n:6.3f} {ms:8.1f}"
        )
    title_and_date(pages)
    if verbose:
        print("\nper-page F1\n" + f"{'page':40s} " + " ".join(f"{name[:8]:>8s}" for name in METHODS))
        for i, (page_id, *_rest) in enumerate(pages):
            print(f"{page_id:40s} " + " ".join(f"{results[name][i].f1:8.2f}" for name in METHODS))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    corpus = Path(args[0]) if args else CORPUS
    verbose = "-q" not in sys.argv
    run("generic", load(corpus / "generic"), verbose)
    run("sites (generic fallback)", load(corpus / "sites"), verbose)


if __name__ == "__main__":
    main()
