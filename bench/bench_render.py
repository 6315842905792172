"""Rendered pages per second and peak memory of JS crawls with the real stack (scrapy-playwright + Chromium).

Serves ``--pages`` script-rendered articles on 127.0.0.1 (the body arrives by setTimeout + fetch, as in
tests/test_render_js.py), crawls them with ``scrapy crawl generic -a render_js=1`` at each concurrency
(``CONCURRENT_REQUESTS`` = ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT``), and samples the crawl's process tree
(scrapy, the Playwright driver, Chromium) every 100 ms. A plain-HTTP crawl of the same pages is the
baseline row. Prints a table; asserts nothing.

    .venv/bin/python bench/bench_render.py [--pages 60] [--concurrency 1,4,8] [--delay-ms 300]

Columns: fetched = article pages downloaded, stored = articles with a body (plain HTTP gets only the
loading stub, so it stores none); pages/s = fetched / Scrapy's elapsed_time_seconds (browser start-up
included);
peak RSS = the largest sum of the tree's RSS (counts shared pages once per process, an upper bound);
peak PSS = the same with proportional set size (shared pages split, what the tree really costs), sampled
once a second since reading smaps costs CPU (``--no-pss`` to skip it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_render_js import JsSite, crawl_command  # noqa: E402

MB = 1024 * 1024


@dataclass
class Row:
    label: str
    concurrency: int
    fetched: int  # article pages downloaded (rendered or not)
    stored: int  # articles with a body, stored
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    peak_chromium_procs: int
    returncode: int

    @property
    def rate(self) -> float:
        return self.fetched / self.seconds if self.seconds else 0.0


def _tree_memory(root: psutil.Process, pss_too: bool) -> tuple[int, int, int]:
    rss = pss = chromium = 0
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    for proc in procs:
        try:
            info = proc.memory_full_info() if pss_too else proc.memory_info()
            rss += info.rss
            pss += getattr(info, "pss", 0)
            chromium += "chrom" in proc.name()
        except psutil.Error:
            continue
    return rss, pss, chromium


def crawl(site: JsSite, concurrency: int, render: bool, data_dir: Path, extra: dict[str, str] | None = None,
          pss: bool = True) -> Row:
    args = ["generic", "-a", f"start_urls={site.base}/list.html", "-a", r"allow=/article/\d+\.html$", "-a", "depth=1"]
    if render:
        args += ["-a", "render_js=1", "-a", "wait_selector=article.article-body"]
    settings = {"CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": concurrency, "LOG_LEVEL": "INFO", "STATS_DUMP": True,
                "MONITOR_MIN_SAMPLE": 10**6,  # the benchmark's pages carry no date: no monitor verdict
                **(extra or {})}
    proc = subprocess.Popen(crawl_command(args, data_dir, settings), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = [0, 0, 0]
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.append(proc.stderr.read() if proc.stderr else ""))
    reader.start()
    ticks = 0
    while proc.poll() is None:
        sample = _tree_memory(root, pss_too=pss and ticks % 10 == 0)  # smaps is costly: PSS once a second
        peak = [max(a, b) for a, b in zip(peak, sample, strict=True)]
        ticks += 1
        time.sleep(0.1)
    reader.join()
    text = "".join(log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", text)
    responses = re.search(r"'downloader/response_count': (\d+)", text)
    stored = sum(1 for path in data_dir.glob("*/*.jsonl") for line in path.read_text("utf-8").splitlines() if line)
    return Row("rendered" if render else "plain HTTP", concurrency, int(responses.group(1)) - 1 if responses else 0,
               stored, float(elapsed.group(1)) if elapsed else 0, peak[0] / MB, peak[1] / MB, peak[2],
               proc.returncode or 0)


# How rendering was set up before pages were reused: the baseline of the ratio column.
BEFORE = {
    "RENDER_JS_REUSE_PAGES": "False",
    "PLAYWRIGHT_LAUNCH_OPTIONS": json.dumps({
        "executable_path": "/usr/bin/chromium", "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]}),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--concurrency", default="4,6,8", help="comma-separated list")
    parser.add_argument("--rounds", type=int, default=2, help="rendered crawls per setting, the median is kept")
    parser.add_argument("--delay-ms", type=int, default=300, help="the page script's setTimeout before its fetch")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="an extra -s setting")
    parser.add_argument("--no-pss", action="store_true", help="sample RSS only (reading smaps costs CPU)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain-HTTP and the 'before' rows")
    opts = parser.parse_args(argv)
    levels = [int(c) for c in opts.concurrency.split(",")]
    extra = dict(item.split("=", 1) for item in opts.set)
    rows: list[Row] = []
    before: dict[int, float] = {}
    with JsSite(pages=opts.pages, delay_ms=opts.delay_ms) as site, tempfile.TemporaryDirectory() as tmp:
        if not opts.no_baseline:
            rows.append(crawl(site, max(levels), False, Path(tmp) / "plain", extra, not opts.no_pss))
        for level in levels:
            for label, settings in ([] if opts.no_baseline else [("before", {**extra, **BEFORE})]) + [
                    ("rendered", extra)]:
                runs = [crawl(site, level, True, Path(tmp) / f"{label}{level}-{r}", settings, not opts.no_pss)
                        for r in range(opts.rounds)]
                runs.sort(key=lambda row: row.rate)
                row = runs[len(runs) // 2]
                row.label = label
                rows.append(row)
                if label == "before":
                    before[level] = row.rate
    cpu = platform.processor() or platform.machine()
    mem = psutil.virtual_memory().total / 1024**3
    print(f"{opts.pages} pages, script delay {opts.delay_ms} ms; {os.cpu_count()} CPUs ({cpu}), {mem:.0f} GB RAM,"
          f" Python {platform.python_version()}")
    print(f"{'mode':<11} {'conc':>4} {'fetched':>7} {'stored':>6} {'seconds':>8} {'pages/s':>8} {'vs before':>9} "
          f"{'peak RSS MB':>12} {'peak PSS MB':>12} {'chromium procs':>15} {'exit':>4}")
    for r in rows:
        base = before.get(r.concurrency) if r.label == "rendered" else None
        ratio = f"{r.rate / base:9.2f}" if base else " " * 9
        print(f"{r.label:<11} {r.concurrency:>4} {r.fetched:>7} {r.stored:>6} {r.seconds:>8.2f} {r.rate:>8.2f} {ratio} "
              f"{r.peak_rss_mb:>12.0f} {r.peak_pss_mb:>12.0f} {r.peak_chromium_procs:>15} {r.returncode:>4}")
    print("before: a new browser page for every request and the launch options of before (the baseline); "
          f"median of {opts.rounds} crawls each")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (other work on the machine slows the browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
