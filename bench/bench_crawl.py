"""Crawl speed: the full stack (``scrapy crawl generic``) against a bare Scrapy spider on the same nginx portal.

    .venv/bin/python -m bench.bench_crawl [--pages 5000] [--min-kb 30] [--max-kb 100] [--concurrency 32]
                                          [--rounds 1] [--profile N]

Generates ``--pages`` articles (``bench.portal``), serves them with nginx on 127.0.0.1, then crawls
them with the bare spider (``bench/bare_spider.py``, fetch only) and with the full stack (extraction,
cleaning, validation, dedup, JSONL), same concurrency, no robots.txt, no throttling. Pages per second
come from each crawl's own stats (responses / ``elapsed_time_seconds``). ``--profile N`` adds a
cProfile run of the full stack over the first N articles and prints where its time goes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.portal import Nginx, build_portal

ROOT = Path(__file__).resolve().parent.parent
_STAT = re.compile(r"^[\s{]*'([^']+)':\s*(-?\d+(?:\.\d+)?)[,}]?$", re.M)


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


def bare_cmd(start: str, concurrency: int) -> list[str]:
    return [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
            "-a", f"start_url={start}", *common_settings(concurrency)]


@dataclass
class Run:
    name: str
    pages: int
    articles: int
    seconds: float
    wall: float
    log: str

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run(name: str, cmd: list[str], cwd: Path, count_key: str) -> Run:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    stats = parse_stats(proc.stderr)
    if not stats:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name}: crawl gave no stats (exit {proc.returncode})")
    return Run(name, int(stats.get("response_received_count", 0)), int(stats.get(count_key, 0)),
               stats.get("elapsed_time_seconds", wall), wall, proc.stderr)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages in the portal (default 5000)")
    parser.add_argument("--min-kb", type=int, default=30)
    parser.add_argument("--max-kb", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1, help="bare/full pairs, alternated (default 1)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile a full crawl of N articles")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run as nobody
        started = time.monotonic()
        size = build_portal(work / "site", args.pages, args.min_kb, args.max_kb)
        print(f"Portal: {args.pages} articles, {size / args.pages / 1024:.1f} KB mean, "
              f"{size / 2**20:.0f} MB, generated in {time.monotonic() - started:.0f} s")
        runs: list[Run] = []
        with Nginx(work / "site", work / "nginx") as nginx:
            start = f"{nginx.base_url}/list/1.html"
            for r in range(args.rounds):
                runs.append(run("bare scrapy (fetch only)", bare_cmd(start, args.concurrency), work, "bare/articles"))
                full = run("full stack (generic)",
                           full_stack_cmd(start, work / f"data{r}", args.concurrency), ROOT, "store/items")
                runs.append(full)
                errors = [line for line in full.log.splitlines() if " ERROR: " in line]
                if errors:
                    print(f"full stack logged {len(errors)} ERROR lines, first: {errors[0]}")
            if args.profile:
                profile(start, work, args.concurrency, args.profile)

    print(f"\nCrawl benchmark: {args.pages} articles of {args.min_kb}-{args.max_kb} KB, nginx on 127.0.0.1, "
          f"CONCURRENT_REQUESTS={args.concurrency}")
    print(f"{'crawler':<28} {'responses':>9} {'articles':>8} {'seconds':>8} {'pages/s':>8} {'wall s':>7}")
    for r in runs:
        print(f"{r.name:<28} {r.pages:>9} {r.articles:>8} {r.seconds:>8.1f} {r.rate:>8.1f} {r.wall:>7.1f}")
    bare = [r.rate for r in runs if r.name.startswith("bare")]
    full_rates = [r.rate for r in runs if r.name.startswith("full")]
    ratio = (sum(full_rates) / len(full_rates)) / (sum(bare) / len(bare)) if bare and bare[0] else 0.0
    print(f"full stack / bare scrapy: {ratio:.2f}  (target >= 0.70)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
