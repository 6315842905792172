"""Generic extraction against trafilatura and readability-lxml, per corpus subset, in one run.

    .venv/bin/python -m bench.generic_choice [corpus_dir] [--sets public,snippets,generic] [--limit N] [-v]

Every labelled page of ``<corpus>/public`` (gold bodies: cleaneval, dragnet, l3s, portal,
readability), ``<corpus>/snippets`` and ``<corpus>/generic`` is read by

- ``ours``: ``crawler.extract.generic.extract_generic`` (the generic path: the cheap extractor,
  and the voters with the line model where the gate calls them);
- ``ours+clean``: the whole stack, as ``scrapy evaluate`` runs it (the generic spider's extraction
  and the offline pipelines: normalisation, boilerplate and watermarks, repeated paragraphs);
- ``trafilatura``: ``trafilatura.extract(html, url, deduplicate=False)`` (its defaults);
- ``traf-prec``: the same with ``favor_precision=True, include_comments=False``;
- ``readability``: readability-lxml's ``Document(html).summary()``, as paragraphs.

Body scores are ``crawler.evaluation``'s (bag-of-tokens F1; snippets: pooled counts), printed per
subset and per half (``tune``: where thresholds and the line model were fitted; ``held``: never
used for that). Times are this process's CPU time per page (``time.process_time``), so other load
on the machine counts little; the last column is ours / trafilatura. ``-v`` prints every page.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import corpus


def methods() -> dict[str, Callable[[Any, str, str, dict, bytes], str]]:
    import lxml.html
    import trafilatura
    from itemadapter import ItemAdapter
    from readability import Document

    from crawler.extract import text as textmod
    from crawler.extract.generic import extract_generic
    from crawler.offline import OfflineExtractor

    extractor = OfflineExtractor()

    def ours(page: Any, html: str, url: str, headers: dict, raw: bytes) -> str:
        article = extract_generic(html, url)
        page.voted = article.method == "vote"
        return "\n".join(article.body)

    def stack(page: Any, html: str, url: str, headers: dict, raw: bytes) -> str:
        outcome = extractor.extract(raw, url, "generic", headers=headers)
        return (ItemAdapter(outcome.item).get("body") or "") if outcome.item is not None else ""

    def traf(page: Any, html: str, url: str, headers: dict, raw: bytes) -> str:
        return trafilatura.extract(html, url=url, deduplicate=False) or ""

    def traf_precision(page: Any, html: str, url: str, headers: dict, raw: bytes) -> str:
        return trafilatura.extract(html, url=url, deduplicate=False, favor_precision=True,
                                   include_comments=False) or ""

    def readability(page: Any, html: str, url: str, headers: dict, raw: bytes) -> str:
        try:
            summary = Document(html).summary(html_partial=True)
            return "\n".join(textmod.paragraphs([lxml.html.fragment_fromstring(summary, create_parent="div")]))
        except Exception:  # readability-lxml raises on pages it cannot read: an empty result
            return ""

    return {"ours": ours, "ours+clean": stack, "trafilatura": traf, "traf-prec": traf_precision,
            "readability": readability}


def _score(page: Any, text: str) -> Any:
    from crawler.evaluation import body_score, snippet_counts

    label = page.label
    if "with" in label:
        return snippet_counts(text, label["with"], label.get("without") or [])
    gold = label.get("body") or (label.get("expected") or {}).get("body")
    return body_score(text, gold) if gold else None


def _mean(scores: list[Any]) -> float:
    from crawler.evaluation import Snippets, _snippet_score

    scores = [s for s in scores if s is not None]
    if not scores:
        return float("nan")
    if isinstance(scores[0], Snippets):
        tp, fn, fp = (sum(getattr(s, k) for s in scores) for k in ("tp", "fn", "fp"))
        return _snippet_score(tp, fn, fp).f1
    return statistics.mean(s.f1 for s in scores)


def main(argv: list[str] | None = None) -> int:
    args = corpus.parser(__doc__ or "", "public,snippets,generic").parse_args(argv)
    if not corpus.ready(args.corpus, "public", "generic"):
        return 0
    from crawler.evaluation import load_corpus

    runs = methods()
    names = list(runs)
    print(f"machine: {os.cpu_count()} cores, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows: list[tuple[Any, dict[str, Any], dict[str, float]]] = []
    for name in args.sets.split(","):
        if not (args.corpus / name).is_dir():
            continue
        pages = load_corpus(args.corpus / name)
        if args.limit:
            pages = pages[: args.limit]
        for page in pages:
            url, headers, raw = page.read()
            html = page.html()
            scores, times = {}, {}
            for method, fn in runs.items():
                started = time.process_time()
                text = fn(page, html, url, headers, raw)
                times[method] = time.process_time() - started
                scores[method] = _score(page, text)
            if any(s is not None for s in scores.values()):
                rows.append((page, scores, times))
            if args.verbose:
                print(f"{page.group:<12} {page.split:<4} {page.id:<40} " + " ".join(
                    f"{_f1(scores[m]):6.3f}" for m in names))

    groups: dict[tuple[str, str], list[int]] = {}
    for i, (page, _s, _t) in enumerate(rows):
        keys = [(page.group, page.split), (page.group, "all")]
        if not _is_snippets(page):  # "ALL" pools the gold-body pages (snippets have their own measure)
            keys += [("ALL", page.split), ("ALL", "all")]
        for key in keys:
            groups.setdefault(key, []).append(i)
    head = " ".join(f"{m:>11}" for m in names)
    print(f"\nBody F1 (snippets: pooled F1), {len(rows)} pages\n{'subset':<12} {'half':<4} {'pages':>5} {head}")
    for (group, half), idx in sorted(groups.items(), key=lambda kv: (kv[0][0] == "ALL", kv[0][0],
                                                                       ("tune", "held", "all").index(kv[0][1]))):
        cells = " ".join(f"{_mean([rows[i][1][m] for i in idx]):11.3f}" for m in names)
        print(f"{group:<12} {half:<4} {len(idx):>5} {cells}")
    print(f"\nCPU ms per page\n{'subset':<12} {'pages':>5} " + " ".join(f"{m:>11}" for m in names)
          + f" {'ours/traf':>10}")
    for (group, half), idx in sorted(groups.items(), key=lambda kv: (kv[0][0] == "ALL", kv[0][0])):
        if half != "all":
            continue
        ms = {m: 1000 * sum(rows[i][2][m] for i in idx) / len(idx) for m in names}
        print(f"{group:<12} {len(idx):>5} " + " ".join(f"{ms[m]:11.1f}" for m in names)
              + f" {ms['ours'] / ms['trafilatura']:>9.2f}x")
    voted = sum(1 for page, _s, _t in rows if getattr(page, "voted", False))
    print(f"\nvoters called on {voted} of {len(rows)} pages; load average at end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _is_snippets(page: Any) -> bool:
    return "with" in page.label


def _f1(score: Any) -> float:
    if score is None:
        return float("nan")
    return score.f1 if hasattr(score, "f1") else score.score.f1


if __name__ == "__main__":
    sys.exit(main())
