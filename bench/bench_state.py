"""State store at scale: lookups + insert per article and RSS at 10k / 100k / 1M stored articles, against today's.

    .venv/bin/python -m bench.bench_state [--max 1000000] [--baseline-max N] [--cache-kib 16384] [--jaccard]

Each store grows to ``--max`` articles in a process of its own (so RSS is its own): at each milestone
it prints the mean ms per article since the previous milestone (URL lookup + content lookup +
near-duplicate candidates and their verification + mark stored, as the dedup and store pipelines do,
commits and the merges of band runs included), the longest single stall (a merge) in that span, the
process RSS and the size of the files. Signatures are random (distinct articles), so band lookups
cost what they cost on a real corpus.

Two stores, one after the other on the same machine: ``baseline`` is the store as it was before
batching (one transaction per write, every band looked up in SQLite, the 64 MiB page cache the
benchmark used then); ``current`` is ``SQLiteStore`` as a crawl opens it (writes committed in
batches of ``STATE_BATCH_WRITES``, the in-memory filter of band keys, ``STATE_SQLITE_CACHE_KIB``).
The ratio column is current / baseline at the same size. ``--jaccard`` prints the similarity
table behind the near-duplicate threshold instead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MILESTONES = (10_000, 100_000, 1_000_000, 10_000_000)


def jaccard_table() -> None:
    from crawler.state.minhash import Fingerprinter, estimate_jaccard, jaccard
    from tests.dedup_texts import EDITOR_LINE, SAME_EVENT_OTHER, SAME_EVENT_THIRD, WIRE_STORY, changed_characters

    fp = Fingerprinter()
    cases = {
        "+ editor line": WIRE_STORY + EDITOR_LINE,
        "3% chars changed": changed_characters(WIRE_STORY, 0.03),
        "5% chars changed": changed_characters(WIRE_STORY, 0.05),
        "5% changed + editor line": changed_characters(WIRE_STORY, 0.05) + EDITOR_LINE,
        "10% chars changed": changed_characters(WIRE_STORY, 0.10),
        "same event, other article (中新网)": SAME_EVENT_OTHER,
        "same event, other article (本报)": SAME_EVENT_THIRD,
    }
    base = fp.fingerprint(WIRE_STORY)
    print(f"shingle={fp.shingle} num_perm={fp.num_perm} bands={fp.bands}x{fp.rows} threshold={fp.threshold}")
    print(f"{'wire story vs':38} {'jaccard':>8} {'estimate':>9} {'p(cand)':>8} {'dup?':>5}")
    for name, text in cases.items():
        exact = jaccard(WIRE_STORY, text, fp.shingle)
        other = fp.fingerprint(text)
        est = estimate_jaccard(base.signature, other.signature)
        shared = bool(set(base.band_keys) & set(other.band_keys))
        print(f"{name:38} {exact:8.3f} {est:9.3f} {fp.candidate_probability(exact):8.3f} "
              f"{'yes' if shared and est >= fp.threshold else 'no':>5}")
    start = time.perf_counter()
    for _ in range(200):
        fp.fingerprint(WIRE_STORY)
    print(f"fingerprint of a {len(WIRE_STORY)}-char body: {(time.perf_counter() - start) / 200 * 1000:.3f} ms")


def grow(kind: str, max_articles: int, path: Path, cache_kib: int, batch_writes: int) -> None:
    """Grow one store (in this process) and print one JSON line per milestone."""
    import numpy as np
    import psutil

    from crawler.state.base import StoredArticle
    from crawler.state.minhash import Fingerprinter, estimate_jaccard
    from crawler.state.sqlite import SQLiteStore

    fp = Fingerprinter()
    if kind == "baseline":
        store = SQLiteStore(path, cache_kib=65536, batch_writes=1, band_filter=False, run_articles=0)
    else:
        store = SQLiteStore(path, cache_kib=cache_kib, batch_writes=batch_writes)
    proc = psutil.Process()
    n = 0
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    for milestone in sorted({m for m in MILESTONES if m <= max_articles} | {max_articles}):
        first = n
        spent = stall = 0.0
        while n < milestone:
            signature = rng.integers(0, 2**32, fp.num_perm, dtype=np.uint32).astype("<u4").tobytes()
            url = f"https://news.example.com/{n // 1000}/article-{n}.html"
            keys = (url, f"https://m.example.com/{n // 1000}/article-{n}.html")
            chash = f"{n:032x}"
            bands = fp.band_keys(signature)
            t0 = time.perf_counter()
            if store.url_stored(keys) is None and store.content_stored(chash) is None:
                for cand_sig in store.near_candidates(bands).values():
                    estimate_jaccard(signature, cand_sig)
                store.mark_stored(StoredArticle("bench", url, keys, chash, bands, signature))
            if store.flush_due():  # what the crawl's timer does every STATE_BATCH_SECONDS
                store.flush()
            took = time.perf_counter() - t0
            spent += took
            stall = max(stall, took)
            n += 1
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
        print(json.dumps({"articles": n, "ms": spent / (milestone - first) * 1000, "stall": stall,
                          "rss": proc.memory_info().rss / 2**20, "file": size,
                          "elapsed": time.perf_counter() - started, "load": os.getloadavg()[0]}), flush=True)
    store.close()


def run_store(kind: str, max_articles: int, args: argparse.Namespace) -> dict[int, dict[str, float]]:
    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-state-{kind}-") as tmp:
        cmd = [sys.executable, "-m", "bench.bench_state", "--grow", kind, "--max", str(max_articles),
               "--path", str(Path(tmp) / "state.sqlite"),
               "--cache-kib", str(args.cache_kib), "--batch-writes", str(args.batch_writes)]
        with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                row = json.loads(line)
                rows[int(row["articles"])] = row
                print(f"  {kind:<8} {int(row['articles']):>10,} {row['ms']:8.3f} ms/article, longest stall "
                      f"{row['stall']:6.2f} s, {row['rss']:7.1f} MB RSS {row['file']:8.1f} MB file  "
                      f"(load {row['load']:.1f})", flush=True)
        if proc.returncode:
            raise SystemExit(f"{kind} store failed (exit {proc.returncode})")
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM"
    except ImportError:
        mem = ""
    return f"{os.cpu_count()} CPUs ({cpu}), {mem}, Python {platform.python_version()}, SQLite {_sqlite_version()}"


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--baseline-max", type=int, default=None, help="grow the baseline store only this far")
    parser.add_argument("--cache-kib", type=int, default=None, help="default: STATE_SQLITE_CACHE_KIB")
    parser.add_argument("--batch-writes", type=int, default=None, help="default: STATE_BATCH_WRITES")
    parser.add_argument("--jaccard", action="store_true")
    parser.add_argument("--grow", choices=("baseline", "current"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.jaccard:
        jaccard_table()
        return 0
    if args.cache_kib is None or args.batch_writes is None:
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        args.cache_kib = args.cache_kib or settings.getint("STATE_SQLITE_CACHE_KIB", 16384)
        args.batch_writes = args.batch_writes or settings.getint("STATE_BATCH_WRITES", 500)
    if args.grow:
        grow(args.grow, args.max, args.path, args.cache_kib, args.batch_writes)
        return 0

    print(f"State store benchmark: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    print(f"current: batches of {args.batch_writes} writes, band filter, {args.cache_kib} KiB page cache; "
          "baseline: one transaction per write, no band filter, 65536 KiB page cache")
    baseline_max = min(args.max, args.baseline_max or args.max)
    current = run_store("current", args.max, args)
    baseline = run_store("baseline", baseline_max, args)
    print(f"\n{'articles':>10} {'ms/article':>10} {'baseline ms':>11} {'ratio':>6} {'stall s':>7} {'RSS MB':>7} "
          f"{'baseline RSS':>12} {'file MB':>8}")
    for n, row in sorted(current.items()):
        base = baseline.get(n)
        ratio = f"{row['ms'] / base['ms']:6.2f}" if base else f"{'-':>6}"
        print(f"{n:>10,} {row['ms']:10.3f} {base['ms'] if base else float('nan'):11.3f} {ratio} {row['stall']:7.2f} "
              f"{row['rss']:7.1f} {base['rss'] if base else float('nan'):12.1f} {row['file']:8.1f}")
    print("(ms/article: the mean since the previous row, commits and merges included)")
    last = current[max(current)]
    print(f"at {max(current):,} articles: {last['ms']:.3f} ms an article (target <= 0.5), {last['rss']:.0f} MB RSS "
          f"(target <= 200); load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
