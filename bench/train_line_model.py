"""Trains the generic extractor's line model and page gate (``crawler/rules/line_model.json``).

    .venv/bin/python -m bench.train_line_model [corpus_dir] [--cache DIR] [--trees 200] [--depth 4] [--rate 0.05]
                                               [--exclude GROUP,...] [--out FILE]

Reads the labelled pages of ``<corpus>/public`` (gold bodies), ``<corpus>/generic`` (labelled
Chinese pages) and ``<corpus>/snippets`` (lines holding a "with" snippet are body, lines holding a
"without" snippet are not, other lines are left out), runs the two voters on every page (their
outputs are kept in ``--cache`` to train again without running them; readability's is set aside
where production would not ask it, see ``voting.AGREE``), and fits, on the ``tune`` half only
(``crawler.evaluation.split_of``):

1. the line model: gradient-boosted trees over ``voting.FEATURES``; a line is body when at least
   half of its word trigrams are in the gold body; lines weigh their share of the page's tokens,
   so every page counts alike; the cut is the probability that maximises the tune half's mean F1,
   each subset weighing the same;
2. the gate: gradient-boosted trees over ``voting.GATE_FEATURES`` (the cheap path's own
   figures) predicting whether voting changes the page's F1 by more than 0.01; its cut is the
   highest that keeps the tune half's mean F1 within ``--gate-loss`` of voting on every page.

Then it prints both halves' F1 per subset: the cheap path, the plain majority of the three extractors
(no model: the baseline the model has to beat), the model voting everywhere, and gated. The ``held``
half was never used to fit or to choose a cut. ``--exclude cleaneval`` leaves a whole subset (both
halves) out of the fit and the cuts: its figures then tell how the model does on a benchmark whose
annotation conventions it never saw, as on a user's site (write the model elsewhere with ``--out``).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import pickle
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


# Gradient-boosted trees (logistic loss, level-wise, histogram splits) ------------------------------


def _edges(x: np.ndarray, bins: int) -> list[np.ndarray]:
    return [np.unique(np.quantile(x[:, j], np.linspace(0, 1, bins + 1)[1:-1])) for j in range(x.shape[1])]


def fit_forest(x: np.ndarray, y: np.ndarray, w: np.ndarray, trees: int, depth: int, rate: float = 0.1,
               l2: float = 1.0, min_hessian: float = 0.02, bins: int = 32) -> dict[str, Any]:
    """A forest in the model file's shape (see ``voting.Forest``)."""
    edges = _edges(x, bins)
    b = np.zeros(x.shape, dtype=np.uint8)
    for j, e in enumerate(edges):
        b[:, j] = np.searchsorted(e, x[:, j], side="right")
    p0 = float(np.clip(np.average(y, weights=w), 1e-3, 1 - 1e-3))
    base = math.log(p0 / (1 - p0))
    f = np.full(len(y), base)
    nodes = (1 << depth) - 1
    feature = np.zeros((trees, nodes), dtype=np.int64)
    threshold = np.full((trees, nodes), np.inf)
    leaf = np.zeros((trees, 1 << depth))
    for t in range(trees):
        p = 1 / (1 + np.exp(-f))
        g, h = w * (p - y), w * p * (1 - p)
        node = np.zeros(len(y), dtype=np.int64)
        for level in range(depth):
            nxt = np.zeros_like(node)
            for k in range(1 << level):
                idx = np.nonzero(node == k)[0]
                best, best_j, best_b = 0.0, -1, 0
                if len(idx):
                    gs, hs = g[idx].sum(), h[idx].sum()
                    for j in range(x.shape[1]):
                        gh = np.bincount(b[idx, j], weights=g[idx], minlength=bins)
                        hh = np.bincount(b[idx, j], weights=h[idx], minlength=bins)
                        cg, ch = np.cumsum(gh)[:-1], np.cumsum(hh)[:-1]
                        gain = cg ** 2 / (ch + l2) + (gs - cg) ** 2 / (hs - ch + l2) - gs ** 2 / (hs + l2)
                        gain[(ch < min_hessian) | (hs - ch < min_hessian)] = -1
                        at = int(np.argmax(gain))
                        if gain[at] > best:
                            best, best_j, best_b = float(gain[at]), j, at
                slot = (1 << level) - 1 + k
                if best_j < 0:
                    nxt[idx] = 2 * k
                    continue
                e = edges[best_j]
                feature[t, slot] = best_j
                threshold[t, slot] = float(e[best_b]) if best_b < len(e) else np.inf
                nxt[idx] = 2 * k + (b[idx, best_j] > best_b)
            node = nxt
        for k in range(1 << depth):
            idx = node == k
            leaf[t, k] = -rate * g[idx].sum() / (h[idx].sum() + l2)
        f += leaf[t, node]
    return {"base": base, "depth": depth, "feature": feature.tolist(),
            "threshold": [[v if math.isfinite(v) else 1e300 for v in row] for row in threshold.tolist()],
            "leaf": leaf.tolist()}


# Pages -------------------------------------------------------------------------------------------


def _voter_outputs(page: Any, root: Any, url: str, cache: Path | None) -> dict[str, str | None]:
    from crawler.extract import voting

    path = cache / f"{page.group}-{page.id.replace('/', '_')}.pkl" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes())
    out = {name: voting.VOTER_FUNCS[name](root, url) for name in voting.VOTERS}
    if path is not None:
        path.write_bytes(pickle.dumps(out))
    return out


def _parse(html: str) -> Any:
    from crawler.extract import generic

    return generic.parse(html)


def page_rows(page: Any, cache: Path | None) -> dict[str, Any] | None:
    """Features, labels and line texts of one page."""
    from crawler.evaluation import tokens
    from crawler.extract import generic, voting

    url, _headers, _raw = page.read()
    html = page.html()
    root = _parse(html)
    if root is None:
        return None
    parsed = generic.Page(root)
    title = generic.page_title(root)
    region = generic.select_region(parsed)
    flags = generic.in_region(parsed, region.elements) if region.elements else [False] * len(parsed.lines)
    cheap = generic.cheap_body([line for line, inside in zip(parsed.lines, flags, strict=True) if inside])
    texts = _voter_outputs(page, root, url, cache)
    outputs = {name: voting.Output(t) if t and t.strip() else None for name, t in texts.items()}
    chosen = {line.index for line in cheap}
    if voting.agreement(parsed.lines, chosen, outputs.get("trafilatura")) >= voting.AGREE:
        outputs["readability"] = None  # as in production: readability is not asked when the two agree
    given = voting.structured_body(root)
    title_at = generic.title_index(parsed.lines, title)
    rows, words = voting.line_features(parsed, flags, chosen, outputs, title_at,
                                       voting.Output(given) if given else None)
    label = page.label
    gold = label.get("body") or (label.get("expected") or {}).get("body")
    if "with" in label:
        y = [_snippet_label(line.text, label) for line in parsed.lines]
    elif gold:
        gold_out = voting.Output(gold)
        y = [gold_out.coverage(w) if w else float("nan") for w in words]
    else:
        return None
    return {
        "id": page.id, "group": page.group, "split": page.split, "label": label,
        "x": np.asarray(rows, dtype=np.float64).reshape(len(rows), len(voting.FEATURES)),
        "y": np.asarray(y, dtype=np.float64), "texts": [line.text for line in parsed.lines],
        "tokens": np.asarray([line.tokens for line in parsed.lines], dtype=np.float64),
        "cheap": np.asarray([line.index in {c.index for c in cheap} for line in parsed.lines]),
        "gate": voting.gate_features(parsed, region, flags, cheap),
        "gold_tokens": len(tokens(gold)) if gold else 0,
    }


def _snippet_label(text: str, label: dict) -> float:
    squeezed = "".join(text.split())
    if not squeezed:
        return float("nan")
    for key, value in (("with", 1.0), ("without", 0.0)):
        for snippet in label.get(key) or []:
            s = "".join(snippet.split())
            if s[:40] in squeezed or (len(squeezed) >= 30 and squeezed in s):
                return value
    return float("nan")


# Scores ------------------------------------------------------------------------------------------


def _score(page: dict[str, Any], mask: np.ndarray) -> Any:
    from crawler.evaluation import body_score, snippet_counts

    text = "\n".join(t for t, m in zip(page["texts"], mask, strict=True) if m and t)
    label = page["label"]
    if "with" in label:
        return snippet_counts(text, label["with"], label.get("without") or [])
    return body_score(text, label.get("body") or label["expected"]["body"])


def _f1(score: Any) -> float:
    return score.f1 if hasattr(score, "f1") else score.score.f1


def _mean(scores: list[Any]) -> float:
    from crawler.evaluation import Snippets, _snippet_score

    if scores and isinstance(scores[0], Snippets):
        tp, fn, fp = (sum(getattr(s, k) for s in scores) for k in ("tp", "fn", "fp"))
        return _snippet_score(tp, fn, fp).f1
    return statistics.mean(_f1(s) for s in scores) if scores else float("nan")


def _macro(pages: list[dict[str, Any]], masks: list[np.ndarray]) -> float:
    groups: dict[str, list[Any]] = {}
    for page, mask in zip(pages, masks, strict=True):
        groups.setdefault(page["group"], []).append(_score(page, mask))
    return statistics.mean(_mean(v) for v in groups.values())


def majority(x: np.ndarray) -> np.ndarray:
    """The plain vote, no model: a line is body when most of the cheap path, trafilatura and readability keep
    it (a voter that gave nothing, or was not asked, abstains; the cheap path always votes; a tie keeps)."""
    from crawler.extract import voting

    if not len(x):
        return np.zeros(0, dtype=bool)
    cheap, traf, read, traf_ok, read_ok = (voting.FEATURES.index(name)
                                           for name in ("cheap", "traf", "read", "traf_ok", "read_ok"))
    ayes = (x[:, cheap] >= 0.5) + (x[:, traf] >= 0.5) * x[:, traf_ok] + (x[:, read] >= 0.5) * x[:, read_ok]
    return ayes / (1 + x[:, traf_ok] + x[:, read_ok]) >= 0.5


def _training_set(pages: list[dict[str, Any]], balance: str = "page") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, labels and weights. Every page weighs the same within its subset (its lines by their share of
    its tokens); a subset weighs its page count (``page``), its square root (``sqrt``) or 1 (``subset``)."""
    xs, ys, ws, groups = [], [], [], []
    for page in pages:
        usable = (page["tokens"] > 0) & ~np.isnan(page["y"])
        if not usable.any():
            continue
        w = page["tokens"] / page["tokens"][usable].sum()
        xs.append(page["x"][usable])
        ys.append((page["y"][usable] >= 0.5).astype(np.float64))
        ws.append(w[usable])
        groups.append(page["group"])
    sizes = Counter(groups)
    power = {"page": 0.0, "sqrt": 0.5, "subset": 1.0}[balance]
    ws = [w / sizes[g] ** power for w, g in zip(ws, groups, strict=True)]
    w = np.concatenate(ws)
    return np.vstack(xs), np.concatenate(ys), w / w.mean()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--cache", type=Path, help="keep the voters' outputs here (and reuse them)")
    parser.add_argument("--trees", type=int, default=200)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--gate-loss", type=float, default=0.001)
    parser.add_argument("--out", type=Path, default=None, help="model file (default: crawler/rules/line_model.json)")
    parser.add_argument("--balance", choices=("page", "sqrt", "subset"), default="page",
                        help="what a subset weighs in the fit: its pages, their square root, or one")
    parser.add_argument("--exclude", default="", help="comma-separated groups left out of the fit and the cuts "
                        "(both halves): how the model does on a benchmark it never saw")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    from crawler.evaluation import load_corpus
    from crawler.extract import voting

    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    started = time.time()
    corpus = []
    for name in ("public", "generic", "snippets"):
        if not (args.corpus / name).is_dir():
            print(f"No {args.corpus / name}: skipped")
            continue
        corpus.extend(load_corpus(args.corpus / name))
    excluded = {g for g in args.exclude.split(",") if g}
    groups = {page.group for page in corpus}
    if excluded - groups:
        parser.error(f"--exclude: no subset {', '.join(sorted(excluded - groups))}; "
                     f"there are {', '.join(sorted(groups))}")
    if groups and excluded >= groups:
        parser.error("--exclude: every subset left out, nothing to fit")
    pages = [row for row in (page_rows(page, args.cache) for page in corpus) if row is not None]
    print(f"{len(pages)} pages read in {time.time() - started:.0f} s")
    fitted = [p["split"] == "tune" and p["group"] not in excluded for p in pages]
    tune = [p for p, f in zip(pages, fitted, strict=True) if f]
    x, y, w = _training_set(tune, args.balance)
    line = fit_forest(x, y, w, args.trees, args.depth, args.rate)
    line.update(features=list(voting.FEATURES), cut=0.5)
    forest = voting.Forest(line)
    probs = [forest.probabilities(p["x"]) if len(p["x"]) else np.zeros(0) for p in pages]
    tune_probs = [pr for pr, f in zip(probs, fitted, strict=True) if f]
    cuts = [round(c, 2) for c in np.arange(0.3, 0.71, 0.05)]
    best = max(cuts, key=lambda c: _macro(tune, [pr >= c for pr in tune_probs]))
    line["cut"] = best
    print(f"line model: {len(y)} lines, cut {best}")

    voted = [pr >= best for pr in probs]
    gains = np.asarray([_f1(_score(p, v)) - _f1(_score(p, p["cheap"])) for p, v in zip(pages, voted, strict=True)])
    gx = np.asarray([p["gate"] for p in pages], dtype=np.float64)
    is_tune = np.asarray(fitted)
    gate = fit_forest(gx[is_tune], (np.abs(gains[is_tune]) > 0.01).astype(np.float64), np.ones(is_tune.sum()),
                      100, 3, min_hessian=1.0)
    gate.update(features=list(voting.GATE_FEATURES), cut=0.0)
    gate_probs = voting.Forest(gate).probabilities(gx)
    everywhere = _macro(tune, [v for v, t in zip(voted, is_tune, strict=True) if t])
    gate_cut = 0.0
    for c in np.arange(0.05, 0.61, 0.05):
        masks = [v if g >= c else p["cheap"] for p, v, g in zip(pages, voted, gate_probs, strict=True)]
        if _macro(tune, [m for m, t in zip(masks, is_tune, strict=True) if t]) >= everywhere - args.gate_loss:
            gate_cut = round(float(c), 2)
    gate["cut"] = gate_cut
    print(f"gate: cut {gate_cut}, votes on {np.mean(gate_probs >= gate_cut):.0%} of the pages")

    out = args.out or voting.MODEL_FILE
    out.write_text(json.dumps({"line": line, "gate": gate}, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"written {out}")

    print(f"\n{'group':<12} {'half':<5} {'pages':>5} {'cheap':>7} {'majority':>8} {'vote':>7} {'gated':>7} "
          f"{'voted':>6}")
    groups: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pages):
        groups.setdefault((p["group"], p["split"]), []).append(i)
    for (group, half), idx in sorted(groups.items()):
        sub = [pages[i] for i in idx]
        gated = [voted[i] if gate_probs[i] >= gate_cut else pages[i]["cheap"] for i in idx]
        print(f"{group:<12} {half:<5} {len(idx):>5} {_mean([_score(p, p['cheap']) for p in sub]):7.3f} "
              f"{_mean([_score(p, majority(p['x'])) for p in sub]):8.3f} "
              f"{_mean([_score(pages[i], voted[i]) for i in idx]):7.3f} "
              f"{_mean([_score(p, m) for p, m in zip(sub, gated, strict=True)]):7.3f} "
              f"{np.mean([gate_probs[i] >= gate_cut for i in idx]):6.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
