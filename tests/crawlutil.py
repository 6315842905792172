"""Runs ``scrapy crawl`` as a subprocess and reads back its JSONL and stats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_STAT = re.compile(r"^[\s{]*'([^']+)':\s*(-?\d+(?:\.\d+)?)[,}]?$", re.M)


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str


def read_jsonl(data_dir: str | Path, spider: str | None = None) -> list[dict[str, Any]]:
    """Every line of the JSONL files under ``data_dir`` (one spider's, or all), parsed: raises on an invalid line."""
    pattern = f"{spider}/*.jsonl" if spider else "*/*.jsonl"
    return [json.loads(line) for path in sorted(Path(data_dir).glob(pattern))
            for line in path.read_text(encoding="utf-8").splitlines()]


def read_stats(data_dir: str | Path) -> dict[str, Any]:
    """The final stats a crawl run with ``-s STATS_FILE=<data_dir>/stats.json`` wrote."""
    return dict(json.loads((Path(data_dir) / "stats.json").read_text(encoding="utf-8"))["stats"])


def parse_stats(log: str) -> dict[str, float]:
    """The numeric stats of the 'Dumping Scrapy stats' block at the end of a crawl log."""
    block = log.rsplit("Dumping Scrapy stats:", 1)
    if len(block) < 2:
        return {}
    return {k: float(v) for k, v in _STAT.findall(block[1])}


def run_crawl(args: list[str], data_dir: Path, timeout: float = 120) -> CrawlResult:
    cmd = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"DATA_DIR={data_dir}",
           "-s", "LOG_LEVEL=INFO", "-s", f"STATS_FILE={Path(data_dir) / 'stats.json'}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    stats = read_stats(data_dir) if (Path(data_dir) / "stats.json").exists() else {}
    return CrawlResult(proc.returncode, read_jsonl(data_dir), stats, proc.stderr)
