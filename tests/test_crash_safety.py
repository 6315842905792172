"""kill -9 a real crawl of a 520-article local site at random moments; every article ends up stored exactly once."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.crawlutil import read_jsonl, read_stats
from tests.localsite import crawl_command, serve_site

pytestmark = pytest.mark.crawl

ARTICLES = 520
KILLS = 3
ROOT = Path(__file__).resolve().parent.parent


def line_count(data_dir: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in (data_dir / "generic").glob("*.jsonl"))


def crawl_until_killed(base_url: str, data_dir: Path, target: int, timeout: float = 90) -> bool:
    """Start a crawl and SIGKILL it once the JSONL has ``target`` lines; False when it finished first."""
    proc = subprocess.Popen(crawl_command(base_url, data_dir), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if line_count(data_dir) >= target:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.01)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kill_9_and_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    site = serve_site(pages=ARTICLES, per_list=40, delay=0.03, tracking_links=True)
    kills = 0
    try:
        lines = 0
        for k in range(KILLS):
            target = lines + rng.randint(40, 140)
            if crawl_until_killed(site.base_url, tmp_path, target):
                kills += 1
            lines = line_count(tmp_path)
            if k == KILLS - 1:  # a torn write, as a kill in the middle of a line leaves it
                path = next((tmp_path / "generic").glob("*.jsonl"))
                with path.open("ab") as handle:
                    handle.write('{"url": "http://127.0.0.1/article/torn.html", "title": "半'.encode())
        proc = subprocess.run(crawl_command(site.base_url, tmp_path), cwd=ROOT, capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
        stats = read_stats(tmp_path)
    finally:
        site.stop()

    rows = read_jsonl(tmp_path)  # raises on any invalid line
    ids = Counter(re.sub(r"^.*/article/|\.html.*$", "", str(r["url"])) for r in rows)
    duplicated = {i: n for i, n in ids.items() if n > 1}
    missing = {str(i) for i in range(ARTICLES)} - set(ids)
    assert kills >= 2, f"seed {seed}: the crawl finished before it could be killed"
    assert not duplicated and not missing, f"seed {seed}: duplicated {duplicated}, missing {sorted(missing)[:20]}"
    assert len(rows) == ARTICLES
    assert stats["store/torn_lines"] == 1
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == ARTICLES
        assert db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0
    print(f"seed {seed}: {kills} kills, {ARTICLES} articles exactly once, resumed {stats.get('pending/resumed')}, "
          f"re-registered {stats.get('store/registered_on_open')}")
