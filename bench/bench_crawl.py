"""Crawl speed: the full stack (``scrapy crawl generic``) against a bare Scrapy spider on the same nginx portal.

    .venv/bin/python -m bench.bench_crawl [--pages 2500] [--min-kb 5] [--max-kb 10] [--concurrency 32]
                                          [--rounds 5] [--profile N]

Generates ``--pages`` articles (``bench.portal``), serves them with nginx on 127.0.0.1, then, in each
round, crawls them three times, same concurrency, no robots.txt, no throttling:

- ``bare``: a bare Scrapy spider (``bench/bare_spider.py``) that fetches the pages and follows the
  links, with Scrapy's default settings: the baseline the ratio is measured against;
- ``bare tuned``: the same spider with the Scrapy tuning the project applies to itself
  (``CONCURRENT_ITEMS = 1``, the ``CollectorTuning`` extension), to show what of the gap is tuning;
- ``full``: the full stack (extraction, cleaning, validation, dedup, JSONL, state).

Pages per second come from each crawl's own stats (responses / ``elapsed_time_seconds``); CPU ms a
page is the crawl process's user + system time (start-up included) over its responses, a figure
the other work on a shared machine disturbs less than wall-clock rates. The ratio of each round is
full / bare of that round; the figure to read is the median over the rounds. ``--profile N`` adds
a cProfile run of the full stack over the first N articles.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.portal import Nginx, build_portal

ROOT = Path(__file__).resolve().parent.parent
_STAT = re.compile(r"^[\s{]*'([^']+)':\s*(-?\d+(?:\.\d+)?)[,}]?$", re.M)
TARGET = 0.85


def parse_stats(log: str) -> dict[str, float]:
    """The numeric stats of the 'Dumping Scrapy stats' block at the end of a crawl log."""
    block = log.rsplit("Dumping Scrapy stats:", 1)
    return {k: float(v) for k, v in _STAT.findall(block[1])} if len(block) == 2 else {}


def common_settings(concurrency: int) -> list[str]:
    return ["-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
            "-s", "LOG_LEVEL=INFO", "-s", "STATS_DUMP=True", "-s", "REMOTE_CONTROL_ENABLED=False",
            "-s", "TELNETCONSOLE_ENABLED=False"]


def full_stack_cmd(start: str, data_dir: Path, concurrency: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start_urls={start}", "-a", "allow=/a/",
            "-a", "depth=2", "-s", f"DATA_DIR={data_dir}", *common_settings(concurrency), *extra]


def bare_cmd(start: str, concurrency: int, tuned: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
           "-a", f"start_url={start}", *common_settings(concurrency)]
    if tuned:
        cmd += ["-s", "CONCURRENT_ITEMS=1", "-s", 'EXTENSIONS={"crawler.extensions.collector.CollectorTuning": 10}',
                "-s", "GC_FREEZE=True"]
    return cmd


@dataclass
class Run:
    name: str
    pages: int
    articles: int
    seconds: float
    wall: float
    cpu: float  # user + system seconds of the crawl process
    log: str

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.pages * 1000 if self.pages else 0.0


def run(name: str, cmd: list[str], cwd: Path, count_key: str, env: dict[str, str] | None = None) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = parse_stats(proc.stderr)
    if not stats:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name}: crawl gave no stats (exit {proc.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(name, int(stats.get("response_received_count", 0)), int(stats.get(count_key, 0)),
               stats.get("elapsed_time_seconds", wall), wall, cpu, proc.stderr)


def profile(start: str, work: Path, concurrency: int, limit: int) -> None:
    out = work / "full.prof"
    cmd = full_stack_cmd(start, work / "profile-data", concurrency, "-a", f"limit={limit}")
    cmd[1:3] = ["-m", "cProfile", "-o", str(out), "-m", "scrapy"]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    import pstats

    print(f"\nFull stack under cProfile, {limit} articles: top functions by own time")
    pstats.Stats(str(out)).sort_stats("tottime").print_stats(25)
    print("By cumulative time")
    pstats.Stats(str(out)).sort_stats("cumulative").print_stats(40)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        model = cpu
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2500, help="article pages in the portal (default 2500)")
    parser.add_argument("--min-kb", type=int, default=5)
    parser.add_argument("--max-kb", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of bare / bare tuned / full (default 5)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile a full crawl of N articles")
    args = parser.parse_args(argv)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the tuned bare spider loads the project's collector extension
    print(f"Crawl benchmark: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run as nobody
        started = time.monotonic()
        size = build_portal(work / "site", args.pages, args.min_kb, args.max_kb)
        print(f"Portal: {args.pages} articles, {size / args.pages / 1024:.1f} KB mean, "
              f"{size / 2**20:.0f} MB, generated in {time.monotonic() - started:.0f} s; nginx on 127.0.0.1, "
              f"CONCURRENT_REQUESTS={args.concurrency}")
        rounds: list[tuple[Run, Run, Run, float]] = []
        print(f"{'round':>5} {'crawler':<12} {'responses':>9} {'articles':>8} {'seconds':>8} {'pages/s':>8} "
              f"{'CPU ms/page':>11} {'vs bare':>8} {'load':>5}")
        with Nginx(work / "site", work / "nginx") as nginx:
            start = f"{nginx.base_url}/list/1.html"
            for r in range(args.rounds):
                bare = run("bare", bare_cmd(start, args.concurrency), work, "bare/articles", env)
                tuned = run("bare tuned", bare_cmd(start, args.concurrency, tuned=True), work, "bare/articles", env)
                full = run("full", full_stack_cmd(start, work / f"data{r}", args.concurrency), ROOT, "store/items")
                load = os.getloadavg()[0]
                rounds.append((bare, tuned, full, load))
                for crawl in (bare, tuned, full):
                    print(f"{r + 1:>5} {crawl.name:<12} {crawl.pages:>9} {crawl.articles:>8} {crawl.seconds:>8.1f} "
                          f"{crawl.rate:>8.1f} {crawl.cpu_ms:>11.2f} {crawl.rate / bare.rate:>8.2f} {load:>5.1f}",
                          flush=True)
                errors = [line for line in full.log.splitlines() if " ERROR: " in line and "[Spidermon]" not in line]
                if errors:
                    print(f"      full stack logged {len(errors)} ERROR lines, first: {errors[0]}")
            if args.profile:
                profile(start, work, args.concurrency, args.profile)

    ratios = [full.rate / bare.rate for bare, _, full, _ in rounds]
    tuned_ratios = [full.rate / tuned.rate for _, tuned, full, _ in rounds]
    cpu = {name: statistics.median(r[i].cpu_ms for r in rounds)
           for i, name in enumerate(("bare", "bare tuned", "full"))}
    print(f"\nfull stack / bare Scrapy: median {statistics.median(ratios):.2f} over {len(ratios)} rounds "
          f"({', '.join(f'{x:.2f}' for x in ratios)}); target >= {TARGET}")
    print(f"full stack / bare Scrapy with the same Scrapy tuning: median {statistics.median(tuned_ratios):.2f}")
    print("CPU ms a page (medians, start-up included): " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
    print(f"load average during the rounds: {', '.join(f'{load:.1f}' for *_, load in rounds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
