"""State store at scale: insert+lookup ms per article and RSS at 10k / 100k / 1M stored articles.

    .venv/bin/python bench/bench_state.py [--max 1000000] [--path /tmp/bench.sqlite] [--jaccard]

One SQLiteStore grows to ``--max`` articles (an existing ``--path`` file grows on from its
count); at each milestone it prints the mean ms per article of the last batch (URL lookup +
content lookup + near-duplicate candidates + mark stored, as the pipelines do), the process
RSS and the file size. Signatures are random (distinct articles), so band lookups cost what
they cost on a real corpus; the MinHash of a real body is timed separately. ``--jaccard``
prints the similarity table behind the threshold.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.state.base import StoredArticle
from crawler.state.minhash import Fingerprinter, estimate_jaccard, jaccard
from crawler.state.sqlite import SQLiteStore

MILESTONES = (10_000, 100_000, 1_000_000, 10_000_000)


def jaccard_table() -> None:
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


def run(max_articles: int, path: Path, batch: int) -> None:
    fp = Fingerprinter()
    store = SQLiteStore(path)
    proc = psutil.Process()
    n = store.stored_count()  # an existing file (--path) grows on from where it stopped
    rng = np.random.default_rng(1 + n)
    print(f"{'articles':>10} {'ms/article':>11} {'RSS MB':>8} {'file MB':>8} {'elapsed s':>10}")
    started = time.perf_counter()
    for milestone in sorted({m for m in MILESTONES if n < m <= max_articles} | {max_articles}):
        timed_from = max(n, milestone - batch)
        t_batch = 0.0
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
            if n >= timed_from:
                t_batch += time.perf_counter() - t0
            n += 1
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
        print(f"{n:>10,} {t_batch / (milestone - timed_from) * 1000:11.3f} {proc.memory_info().rss / 2**20:8.1f} "
              f"{size:8.1f} {time.perf_counter() - started:10.1f}", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000, help="articles timed at each milestone")
    parser.add_argument("--path", type=Path, default=None)
    parser.add_argument("--jaccard", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="delete --path first")
    args = parser.parse_args()
    if args.jaccard:
        jaccard_table()
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.path or Path(tmp) / "bench.sqlite"
        if args.fresh and path.exists():
            os.remove(path)
        run(args.max, path, args.batch)


if __name__ == "__main__":
    main()
