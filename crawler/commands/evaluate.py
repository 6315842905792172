from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.evaluation import PageResult, load_corpus, score_page, summarise
from crawler.offline import OfflineExtractor


def evaluate(root: str, extractor: OfflineExtractor, split: str | None = None,
             group: str | None = None) -> tuple[list[PageResult], float]:
    """Scores every labelled page under ``root`` (any of the corpus layouts) through the crawl's
    extraction and cleaning; returns the results and the seconds spent extracting.

    ``split`` keeps one half (``tune`` or ``held``), ``group`` one subset or spider.
    """
    results = []
    spent = 0.0
    for page in load_corpus(root):
        if (split and page.split != split) or (group and page.group != group):
            continue
        url, headers, raw = page.read()
        started = time.perf_counter()
        outcome = extractor.extract(raw, url, page.spider or "generic", headers=headers)
        spent += time.perf_counter() - started
        item = ItemAdapter(outcome.item).asdict() if outcome.item is not None else None
        results.append(score_page(page.label, item, page.group, outcome.error, page.split))
    return results, spent


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "MISS"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_pages(results: list[PageResult]) -> None:
    print(f"{'page':<44} {'group':<12} {'half':<4} {'P':>6} {'R':>6} {'F1':>6} {'exact':>5} {'title':>5} {'day':>5} "
          f"{'min':>5}  error")
    for r in results:
        score = r.body or (r.snippets.score if r.snippets else None)
        exact = r.exact if r.body else (f"{r.snippets.tp}/{r.snippets.tp + r.snippets.fn}+{r.snippets.fp}"
                                        if r.snippets else None)
        print(f"{r.id[:44]:<44} {r.spider[:12]:<12} {r.split:<4} {_fmt(score and score.precision):>6} "
              f"{_fmt(score and score.recall):>6} {_fmt(score and score.f1):>6} {_fmt(exact):>5} {_fmt(r.title):>5} "
              f"{_fmt(r.day):>5} {_fmt(r.minute):>5}  {r.error or ''}")


def print_summary(summary: dict[str, dict[str, float | int]]) -> None:
    print(f"{'group':<17} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'exact':>6} {'title':>6} {'day':>6} "
          f"{'minute':>6} {'errors':>6}")

    def order(name: str) -> tuple[bool, str, int]:
        base, _, half = name.partition("/")
        return (base == "ALL", base, ("", "tune", "held").index(half) if half in ("", "tune", "held") else 3)

    for name in sorted(summary, key=order):
        row = summary[name]
        exact = row.get("exact", row.get("accuracy"))
        print(f"{name:<17} {row['pages']:>5} {_fmt(row.get('precision')):>6} {_fmt(row.get('recall')):>6} "
              f"{_fmt(row.get('f1')):>6} {_fmt(exact):>6} {_fmt(row.get('title')):>6} {_fmt(row.get('day')):>6} "
              f"{_fmt(row.get('minute')):>6} {row['errors']:>6}")


class Command(ScrapyCommand):
    """Scores extraction on labelled pages (layouts and metrics: the corpus README, ``crawler.evaluation``)."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "ERROR"}

    def syntax(self) -> str:
        return "DIR [--split tune|held] [--group NAME] [--quiet] [--json OUT]"

    def short_desc(self) -> str:
        return "Score body P/R/F1 and exact match (or snippets), title and date on labelled pages"

    def long_desc(self) -> str:
        return ("DIR holds labelled pages in one of the corpus layouts: <group>/<case>.html + .json, or a "
                "labels.jsonl of gold bodies or of snippets. Prints every page, then the means per group and "
                "per half (tune/held, fixed by a hash of the page id). For snippets, P/R/F1 are the pooled counts "
                "and the 'exact' column is the accuracy.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", dest="json_out", help="also write the results as JSON to this file")
        parser.add_argument("--quiet", action="store_true", help="print only the summary")
        parser.add_argument("--split", choices=("tune", "held"), help="score one half only")
        parser.add_argument("--group", help="score one subset or spider only")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("one directory of labelled pages is required")
        if not Path(args[0]).is_dir():
            raise UsageError(f"{args[0]}: no such directory")
        assert self.settings is not None
        results, spent = evaluate(args[0], OfflineExtractor(self.settings), opts.split, opts.group)
        if not results:
            raise UsageError(f"no labelled pages under {args[0]} (a labelled page is <case>.html beside a <case>.json"
                             ' with an "expected" object, or a labels.jsonl of gold bodies or snippets)')
        if not opts.quiet:
            print_pages(results)
            print()
        summary = summarise(results, by_split=True)
        print_summary(summary)
        print(f"\n{len(results)} pages, {1000 * spent / max(len(results), 1):.1f} ms a page")
        if opts.json_out:
            Path(opts.json_out).write_text(json.dumps({"summary": summary, "pages": [
                {"id": r.id, "group": r.spider, "split": r.split, "f1": r.body and r.body.f1, "exact": r.exact,
                 "snippets": r.snippets and [r.snippets.tp, r.snippets.fn, r.snippets.fp, r.snippets.tn],
                 "title": r.title, "day": r.day, "minute": r.minute, "error": r.error} for r in results]},
                ensure_ascii=False, indent=2))
