from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, ClassVar

from itemadapter import ItemAdapter
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.evaluation import PageResult, labelled_pages, score_page, summarise
from crawler.offline import OfflineExtractor


def evaluate(root: str, extractor: OfflineExtractor) -> tuple[list[PageResult], float]:
    """Scores every labelled page under ``root``; returns the results and the seconds spent extracting."""
    results = []
    spent = 0.0
    for html, label in labelled_pages(root):
        spider = label.get("spider") or "generic"
        started = time.perf_counter()
        outcome = extractor.extract(Path(html).read_bytes(), label.get("url") or "https://example.invalid/", spider)
        spent += time.perf_counter() - started
        item = ItemAdapter(outcome.item).asdict() if outcome.item is not None else None
        results.append(score_page(label, item, spider, outcome.error))
    return results, spent


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "MISS"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


class Command(ScrapyCommand):
    """Scores extraction on labelled pages (layout and metric: the corpus README)."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "ERROR"}

    def syntax(self) -> str:
        return "DIR [--json OUT]"

    def short_desc(self) -> str:
        return "Score body precision/recall/F1, title and date on labelled pages"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", dest="json_out", help="also write the results as JSON to this file")
        parser.add_argument("--quiet", action="store_true", help="print only the summary")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not Path(args[0]).is_dir():
            raise UsageError("a directory of labelled pages is required")
        assert self.settings is not None
        results, spent = evaluate(args[0], OfflineExtractor(self.settings))
        if not opts.quiet:
            print(f"{'page':<44} {'P':>6} {'R':>6} {'F1':>6} {'title':>5} {'day':>5} {'min':>5}  error")
            for r in results:
                b = r.body
                print(f"{r.id:<44} {_fmt(b and b.precision):>6} {_fmt(b and b.recall):>6} {_fmt(b and b.f1):>6} "
                      f"{_fmt(r.title):>5} {_fmt(r.day):>5} {_fmt(r.minute):>5}  {r.error or ''}")
            print()
        summary = summarise(results)
        print(f"{'spider':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'day':>6} {'minute':>6} "
              f"{'errors':>6}")
        for name in sorted(summary, key=lambda n: (n == "ALL", n)):
            row = summary[name]
            print(f"{name:<12} {row['pages']:>5} {_fmt(row.get('precision')):>6} {_fmt(row.get('recall')):>6} "
                  f"{_fmt(row.get('f1')):>6} {_fmt(row.get('title')):>6} {_fmt(row.get('day')):>6} "
                  f"{_fmt(row.get('minute')):>6} {row['errors']:>6}")
        print(f"\n{len(results)} pages, {1000 * spent / max(len(results), 1):.1f} ms a page")
        if opts.json_out:
            Path(opts.json_out).write_text(json.dumps({"summary": summary, "pages": [
                {"id": r.id, "spider": r.spider, "f1": r.body and r.body.f1, "title": r.title, "day": r.day,
                 "minute": r.minute, "error": r.error} for r in results]}, ensure_ascii=False, indent=2))
