"""Memory over a long crawl: resident memory of the full stack sampled each second over >= 20,000 pages.

    .venv/bin/python -m bench.bench_memory [--pages 20000] [--min-kb 5] [--max-kb 10] [--concurrency 32]
                                           [--no-baseline]

The crawl runs twice on the same portal, fresh data each time: as configured, and as the baseline
with the garbage collector left as Python sets it (``GC_FREEZE=False``, ``GC_THRESHOLD=``), so the
table shows what the ``CollectorTuning`` extension costs in memory (and gains in time).

Generates a portal of small articles (``bench.portal``), serves it with nginx on 127.0.0.1 and
crawls it with ``scrapy crawl generic`` (the full stack). A sampler reads the crawl process's RSS
(psutil) and the number of articles stored so far (lines of the JSONL) every second, then prints
RSS at 10/25/50/75/100% of the articles and the slope from 25% to 100% in MB per 10k pages
(least squares; the first quarter holds start-up and the scheduler filling with requests).

What is expected to grow: Scrapy's dupefilter keeps one fingerprint per request (a 40-character
hex string in a set, ~100 bytes a URL, ~1 MB per 10k pages), and an in-memory dedup store keeps
its keys; the scheduler's queue fills from the list pages first and drains as articles are
fetched, so RSS can fall near the end. Anything else that grows with the pages is a leak.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.bench_crawl import ROOT, full_stack_cmd, parse_stats
from bench.portal import Nginx, build_portal


class LineCounter:
    """Counts the lines of the JSONL files under a directory, reading only what was appended."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.offsets: dict[Path, int] = {}
        self.lines = 0

    def count(self) -> int:
        for path in self.root.glob("*/*.jsonl"):
            offset = self.offsets.get(path, 0)
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
            end = chunk.rfind(b"\n") + 1
            self.lines += chunk[:end].count(b"\n")
            self.offsets[path] = offset + end
        return self.lines


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 10k pages of (pages, MB) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(p for p, _ in points) / n
    my = sum(m for _, m in points) / n
    var = sum((p - mx) ** 2 for p, _ in points)
    return 10_000 * sum((p - mx) * (m - my) for p, m in points) / var if var else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--min-kb", type=int, default=5)
    parser.add_argument("--max-kb", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--no-baseline", action="store_true", help="skip the crawl with Python's collector")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawl, e.g. --set STATE_ENABLED=False (repeatable)")
    args = parser.parse_args(argv)

    print(f"Memory benchmark: {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}")
    variants = [("tuned", args.set)]
    if not args.no_baseline:
        variants.append(("python gc", [*args.set, "GC_FREEZE=False", "GC_THRESHOLD="]))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run as nobody
        size = build_portal(work / "site", args.pages, args.min_kb, args.max_kb, seed=11)
        print(f"Portal: {args.pages} articles, {size / args.pages / 1024:.1f} KB mean")
        with Nginx(work / "site", work / "nginx") as nginx:
            for name, extra in variants:
                results.append((name, extra, *crawl(nginx.base_url, work / f"data-{len(results)}", args, extra)))
    for name, extra, samples, stored, stats in results:
        print(f"\n{name}: full stack over {args.pages} articles of {args.min_kb}-{args.max_kb} KB, "
              f"{len(samples)} samples, {stats.get('elapsed_time_seconds', 0):.0f} s crawling"
              + (f", {' '.join(extra)}" if extra else ""))
        print(f"stored {stored} articles, {int(stats.get('response_received_count', 0))} responses, "
              f"peak RSS {max((s[2] for s in samples), default=0):.1f} MB")
        print(f"{'progress':>8} {'articles':>8} {'seconds':>8} {'RSS MB':>8}")
        for pct in (10, 25, 50, 75, 100):
            goal = stored * pct / 100
            hit = next((s for s in samples if s[1] >= goal), samples[-1] if samples else (0.0, 0, 0.0))
            print(f"{pct:>7}% {hit[1]:>8} {hit[0]:>8.0f} {hit[2]:>8.1f}")
        tail = [(n, mb) for _, n, mb in samples if n >= stored * 0.25]
        print(f"slope from 25% to 100%: {slope(tail):+.2f} MB per 10k pages "
              f"(dupefilter fingerprints alone: ~+1 MB per 10k)")
    if len(results) == 2:
        (_, _, tuned, _, tuned_stats), (_, _, base, _, base_stats) = results
        peak = max(s[2] for s in tuned) / max(s[2] for s in base) if tuned and base else 0.0
        speed = base_stats.get("elapsed_time_seconds", 0) / (tuned_stats.get("elapsed_time_seconds") or 1)
        print(f"\ncollector tuning vs Python's collector: peak RSS x{peak:.2f}, crawl speed x{speed:.2f}; "
              f"load average now {os.getloadavg()[0]:.1f}")
    return 0


def crawl(base_url: str, data: Path, args: argparse.Namespace,
          extra: list[str]) -> tuple[list[tuple[float, int, float]], int, dict[str, float]]:
    """One crawl with RSS sampled every ``args.interval`` s: (samples, articles stored, stats)."""
    samples: list[tuple[float, int, float]] = []  # (seconds, articles stored, RSS MB)
    with (data.parent / f"{data.name}.log").open("w+") as log:
        proc = subprocess.Popen(full_stack_cmd(f"{base_url}/list/1.html", data, args.concurrency,
                                               *[a for kv in extra for a in ("-s", kv)]),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True)
        counter, ps, started = LineCounter(data), psutil.Process(proc.pid), time.monotonic()
        while proc.poll() is None:
            try:
                rss = ps.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                break
            samples.append((time.monotonic() - started, counter.count(), rss))
            time.sleep(args.interval)
        proc.wait()
        log.seek(0)
        stats = parse_stats(log.read())
    return samples, counter.count(), stats

if __name__ == "__main__":
    sys.exit(main())
