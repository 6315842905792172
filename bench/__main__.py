"""``python -m bench`` (``make bench``): every benchmark in turn, each printing its table.

    .venv/bin/python -m bench [--only extract,cleaning,watermarked,dates,titles,crawl,state,memory,render]
                              [--pages 2500] [--memory-pages 20000] [--state-max 1000000]

Each benchmark prints its figures as ratios against its baseline, measured in the same run: a bare
Scrapy spider for the crawl, trafilatura for extraction, the state store as it was before batching,
Python's own garbage collector for memory, rendering without page reuse for JavaScript pages, htmldate
for the publication days of pages whose URL holds the day (``dates``), the page's own ``<title>`` and
``og:title`` for titles against the headline a gold body starts with (``titles``); the cleaning
benchmark compares each article size with the smallest (``cleaning``: near-linear cost).

Scale down with ``--pages`` (crawl benchmark articles), ``--memory-pages`` and ``--state-max``.
The state benchmark (``bench/bench_state.py``) runs as a subprocess when it exists.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench import bench_cleaning, bench_crawl, bench_extract, bench_memory, bench_render, titles, url_dates, watermarked

HERE = Path(__file__).resolve().parent
ALL = ("extract", "cleaning", "watermarked", "dates", "titles", "crawl", "state", "memory", "render")


def run_state(max_articles: int) -> int:
    return subprocess.run([sys.executable, "-m", "bench.bench_state", "--max", str(max_articles)], cwd=HERE.parent,
                          check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument("--pages", type=int, default=2500, help="crawl benchmark articles (default 2500)")
    parser.add_argument("--memory-pages", type=int, default=20_000, help="memory benchmark articles (default 20000)")
    parser.add_argument("--state-max", type=int, default=1_000_000, help="state benchmark size (default 1M)")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failures = 0
    for name in chosen:
        print(f"\n===== {name} =====", flush=True)
        started = time.monotonic()
        if name == "extract":
            code = bench_extract.main([])
        elif name == "crawl":
            code = bench_crawl.main(["--pages", str(args.pages)])
        elif name == "state":
            code = run_state(args.state_max)
        elif name == "cleaning":
            code = bench_cleaning.main([])
        elif name == "watermarked":
            code = watermarked.main([])
        elif name == "dates":
            code = url_dates.main([])
        elif name == "titles":
            code = titles.main([])
        elif name == "render":
            code = bench_render.main([])
        else:
            code = bench_memory.main(["--pages", str(args.memory_pages)])
        failures += code != 0
        print(f"({name}: {time.monotonic() - started:.0f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
