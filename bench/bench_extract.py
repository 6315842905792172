"""Extraction speed: our extraction + cleaning against trafilatura and readability-lxml on the corpus pages.

    .venv/bin/python -m bench.bench_extract [corpus_dir] [--repeat 3]

Every page under ``<corpus>/sites/<spider>/`` goes through ``OfflineExtractor`` with its site
spider, every page under ``<corpus>/generic/`` with ``generic`` (the crawl's extraction and
offline pipelines, from raw bytes: response, charset repair, extraction, cleaning, validation).
trafilatura (``extract(html, deduplicate=False)``) and readability-lxml (``Document(html).summary()``)
read the same pages, already decoded, in the same process and run. Each method is warmed up once
(dateparser compiles its locales on the first call), then timed ``--repeat`` times; the best pass
counts. Times are this process's CPU time (``time.process_time``), so other load on a
shared machine does not count; one process, one core.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass
class Page:
    group: str  # "sites" or "generic"
    spider: str
    url: str
    raw: bytes
    headers: dict[str, str]
    html: str


def load(corpus: Path) -> list[Page]:
    from crawler.evaluation import load_corpus

    pages = []
    for group in ("sites", "generic"):
        if not (corpus / group).is_dir():
            continue
        for page in load_corpus(corpus / group):
            url, headers, raw = page.read()
            spider = page.spider if group == "sites" and page.spider else "generic"
            pages.append(Page(group, spider, url, raw, headers, page.html()))
    return pages


def methods() -> dict[str, Callable[[Page], object]]:
    import trafilatura
    from readability import Document

    from crawler.offline import OfflineExtractor

    extractor = OfflineExtractor()
    known = set(extractor.loader.list())

    def ours(page: Page) -> object:
        spider = page.spider if page.spider in known else "generic"
        return extractor.extract(page.raw, page.url, spider=spider, headers=page.headers)

    return {
        "ours (extract + clean)": ours,
        "trafilatura": lambda page: trafilatura.extract(page.html, url=page.url, deduplicate=False),
        "readability-lxml": lambda page: Document(page.html).summary(),
    }


def time_pass(fn: Callable[[Page], object], pages: list[Page]) -> float:
    """CPU seconds of this process for one pass: other load on the machine does not count."""
    started = time.process_time()
    for page in pages:
        fn(page)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.corpus / "sites").is_dir():
        print(f"No corpus at {args.corpus}: extraction benchmark skipped")
        return 0
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    pages = load(args.corpus)
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    groups = {"sites": [p for p in pages if p.group == "sites"], "generic": [p for p in pages if p.group == "generic"],
              "all": pages}
    results: dict[tuple[str, str], float] = {}
    for name, fn in methods().items():
        time_pass(fn, pages)  # warm-up: imports, spider and pipeline set-up, dateparser locales
        for group, subset in groups.items():
            if subset:
                results[name, group] = min(time_pass(fn, subset) for _ in range(args.repeat))
    names = list(dict.fromkeys(name for name, _ in results))
    mb = sum(len(p.raw) for p in pages) / 2**20
    print(f"\nExtraction benchmark: {len(groups['sites'])} site pages + {len(groups['generic'])} generic pages "
          f"({mb:.1f} MB), best of {args.repeat}, CPU time of one process")
    print(f"{'method':<24} {'pages':<8} {'pages/s':>8} {'ms/page':>8} {'vs trafilatura':>15}")
    for group, subset in groups.items():
        if not subset:
            continue
        traf = results["trafilatura", group]
        for name in names:
            secs = results[name, group]
            print(f"{name:<24} {group:<8} {len(subset) / secs:>8.1f} {1000 * secs / len(subset):>8.2f} "
                  f"{traf / secs:>14.2f}x")
    print("target: site spiders >= 4x trafilatura's pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
