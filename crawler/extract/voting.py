"""Line-level voting between independent extractors, decided by a small learned model.

The cheap path (``generic``) marks the lines of its body region. When it is unsure
(:func:`needs_votes`, a learned gate over the cheap path's own figures), trafilatura
(``favor_precision``, no fallbacks) reads the same page, and readability-lxml too unless the
cheap path and trafilatura already keep the same text (``AGREE``). Each page line gets, from each
voter, the share of its word trigrams found in that voter's output (short lines: found as a whole
line). Gradient-boosted trees (:class:`Forest`) over these votes and the line's own features
(size, punctuation, links, tag, class/id hints of its ancestors, phrase lists, position, the
neighbours' votes, the JSON-LD ``articleBody`` when the page has one) give each line a
probability of being body text; lines at or above the model's cut are the body, except a line in a
comment-marked container that both voters read past (the model learnt from golds that keep readers'
comments, and a long comment is scored like a paragraph). A voter that
fails or returns nothing abstains: its votes are the cheap path's, and a feature tells the model
it abstained. (Giving an abstaining voter no line at all instead was measured worse on the
held-out half: cleaneval 0.916 against 0.929, readability 0.963 against 0.970.)

The trees, the gate and both cuts are data (``crawler/rules/line_model.json``), written by
``bench/train_line_model.py`` from the tune half of the public, snippet and generic corpora.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from crawler.extract import text as textmod
from crawler.extract.structured import jsonld_blocks

logger = logging.getLogger(__name__)
# A voter that cannot read a page abstains (and we log it at debug level): the libraries' own error and
# warning lines for such pages ("error getting summary", "discarding data") would fill a crawl's log.
for _name in ("readability.readability", "trafilatura.core"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

MODEL_FILE = Path(__file__).resolve().parent.parent / "rules" / "line_model.json"
# readability-lxml is asked only when the cheap path and trafilatura keep less than this share of text in
# common (decided on the tune half: above it, its vote changed the mean F1 of those pages by 0.004)
AGREE = 0.95
VOTERS = ("trafilatura", "readability")


# Voters ------------------------------------------------------------------------------------


def trafilatura_text(root: Any, url: str) -> str | None:
    """trafilatura's text of the page (it reads a copy of ``root``), favouring precision, without its fallbacks."""
    import trafilatura

    try:
        return trafilatura.extract(root, url=url or None, favor_precision=True, include_comments=False,
                                   include_tables=True, deduplicate=False, fast=True, with_metadata=False)
    except Exception as exc:  # a voter that breaks abstains
        logger.debug("trafilatura failed on %s: %s", url, exc)
        return None


@lru_cache(maxsize=1)
def _text_cleaner() -> Any | None:
    """readability-lxml's own cleaner without its ``javascript`` pass, or None when it cannot be copied: that
    pass rewrites every link and event attribute, which no text depends on (measured: the same summaries on
    364 public pages in three quarters of the time)."""
    from readability import cleaners

    try:
        return type(cleaners.html_cleaner)(**{**vars(cleaners.html_cleaner), "javascript": False})
    except Exception:  # another readability-lxml release: its own cleaner stays
        return None


def readability_text(root: Any, url: str) -> str | None:
    """readability-lxml's summary of the page (given a copy of ``root``: it edits what it reads), as lines."""
    import lxml.html
    from readability import Document
    from readability import readability as module

    default = module.html_cleaner
    module.html_cleaner = _text_cleaner() or default  # for this call only; a crawl reads one page at a time
    try:
        summary = Document(copy.deepcopy(root)).summary(html_partial=True)
        fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception as exc:  # readability raises on pages it cannot score, lxml on odd characters
        logger.debug("readability failed on %s: %s", url, exc)
        return None
    finally:
        module.html_cleaner = default
    return "\n".join(textmod.paragraphs([fragment]))


VOTER_FUNCS: dict[str, Callable[[Any, str], str | None]] = {
    "trafilatura": trafilatura_text,
    "readability": readability_text,
}


# Matching a voter's output to the page's lines --------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?。！？…\"'”’»)）]\s*$")
def words(text: str) -> list[str]:
    """The text's tokens as the generic extractor counts them, casefolded."""
    from crawler.extract.generic import tokens

    return tokens(text.casefold())


class Output:
    """A voter's text prepared for matching: its word trigrams and its short lines."""

    def __init__(self, text: str) -> None:
        self.trigrams: set[tuple[str, str, str]] = set()
        self.lines: set[tuple[str, ...]] = set()
        self.size = 0
        for line in text.split("\n"):
            w = words(line)
            if not w:
                continue
            self.size += len(w)
            if len(w) < 6:
                self.lines.add(tuple(w))
            self.trigrams.update(zip(w, w[1:], w[2:], strict=False))

    def coverage(self, w: list[str]) -> float:
        """The share of a line's words this output holds (0 or 1 for lines under three words)."""
        if len(w) < 3:
            return 1.0 if tuple(w) in self.lines else 0.0
        grams = list(zip(w, w[1:], w[2:], strict=False))
        return sum(1 for g in grams if g in self.trigrams) / len(grams)


# The decision ----------------------------------------------------------------------------------


class Forest:
    """Gradient-boosted trees of a fixed depth, stored as arrays (the model file's shape):
    ``feature``/``threshold`` per tree in level order, ``leaf`` values, and the starting ``base``.
    A row goes right at a node when its feature is at least the node's threshold."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.features: list[str] = spec["features"]
        self.base = float(spec["base"])
        self.depth = int(spec["depth"])
        self.feature = np.asarray(spec["feature"], dtype=np.int64)
        self.threshold = np.asarray(spec["threshold"], dtype=np.float64)
        self.leaf = np.asarray(spec["leaf"], dtype=np.float64)
        self.cut = float(spec["cut"])

    def scores(self, rows: Any) -> Any:
        """The log-odds of each row."""
        x = np.asarray(rows, dtype=np.float64)
        if x.ndim != 2 or not len(x):
            return np.zeros(len(x))
        trees = self.feature.shape[0]
        node = np.zeros((len(x), trees), dtype=np.int64)
        row = np.arange(len(x))[:, None]
        tree = np.arange(trees)[None, :]
        for level in range(self.depth):
            at = (1 << level) - 1 + node
            go = x[row, self.feature[tree, at]] >= self.threshold[tree, at]
            node = 2 * node + go
        return self.base + self.leaf[tree, node].sum(axis=1)

    def probabilities(self, rows: Any) -> Any:
        return 1 / (1 + np.exp(-np.clip(self.scores(rows), -30, 30)))


@lru_cache(maxsize=1)
def load_model() -> tuple[Forest, Forest]:
    """The line model and the page gate of ``crawler/rules/line_model.json``."""
    spec = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    line, gate = Forest(spec["line"]), Forest(spec["gate"])
    if tuple(line.features) != FEATURES or tuple(gate.features) != GATE_FEATURES:
        raise ValueError(f"{MODEL_FILE} was trained on other features: retrain it (bench/train_line_model.py)")
    return line, gate


def needs_votes(page: Any, region: Any, flags: list[bool], cheap: list[Any]) -> bool:
    """Whether the cheap path is unsure enough of this page to call the voters (the learned gate)."""
    if not page.lines:
        return False
    _line, gate = load_model()
    return bool(gate.probabilities([gate_features(page, region, flags, cheap)])[0] >= gate.cut)


def vote(page: Any, flags: list[bool], cheap: list[Any], url: str, title_at: int | None) -> list[Any] | None:
    """The body lines the voters and the line model choose, or None when every voter abstains."""
    outputs: dict[str, Output | None] = {}
    chosen = {line.index for line in cheap}
    for name in VOTERS:
        if name == "readability" and agreement(page.lines, chosen, outputs.get("trafilatura")) >= AGREE:
            outputs[name] = None  # the cheap path and trafilatura keep the same text: readability is not asked
            continue
        text = VOTER_FUNCS[name](page.root, url)
        outputs[name] = Output(text) if text and text.strip() else None
    if not any(outputs.values()):
        return None
    given = structured_body(page.root)
    rows, _words = line_features(page, flags, {line.index for line in cheap}, outputs, title_at,
                                 Output(given) if given else None)
    line_model, _gate = load_model()
    keep = line_model.probabilities(rows) >= line_model.cut
    lines = page.lines
    if all(outputs.get(name) is not None for name in VOTERS):
        # Both voters read the page and both left the line out, and it sits in a comment-marked container:
        # readers' comments, whatever the model makes of their length (it learnt from golds that keep them).
        comment, t, r = (FEATURES.index(name) for name in ("comment_anc", "traf", "read"))
        for i, row in enumerate(rows):
            if row[comment] and row[t] < 0.5 and row[r] < 0.5:
                keep[i] = False
    _same_verdict_for_copies(lines, keep)
    chosen = []
    for i, line in enumerate(lines):
        if line.text:
            if keep[i]:
                chosen.append(line)
        elif line.images and _between_kept(lines, keep, i):
            chosen.append(line)
    return chosen


def _same_verdict_for_copies(lines: list[Any], keep: Any) -> None:
    """Copies of a line printed ``SLOGAN_TIMES`` times or more within the kept stretch get one verdict, the
    majority's (a tie keeps): a slogan inserted after every paragraph, kept here and dropped there by the
    model, reaches the cleaning whole, where its pattern is judged (a watermark goes, a heading stays)."""
    from crawler.extract import generic

    kept = [i for i, line in enumerate(lines) if line.text and keep[i]]
    if not kept:
        return
    stretch = range(kept[0], kept[-1] + 1)
    for text in generic.recurring([lines[i] for i in stretch]):
        copies = [i for i in stretch if lines[i].text == text]
        verdict = 2 * sum(1 for i in copies if keep[i]) >= len(copies)
        for i in copies:
            keep[i] = verdict


def agreement(lines: list[Any], chosen: set[int], out: Output | None) -> float:
    """The share of the text kept by the cheap path or by a voter that both keep (tokens; 0 without the voter)."""
    if out is None:
        return 0.0
    both = either = 0
    for line in lines:
        if not line.tokens:
            continue
        voted = out.coverage(line.words) >= 0.5
        if voted or line.index in chosen:
            either += line.tokens
            if voted and line.index in chosen:
                both += line.tokens
    return both / either if either else 0.0


def _between_kept(lines: list[Any], keep: Any, i: int) -> bool:
    """An image-only line whose nearest text lines on both sides are kept."""
    before = next((j for j in range(i - 1, -1, -1) if lines[j].text), None)
    after = next((j for j in range(i + 1, len(lines)) if lines[j].text), None)
    return before is not None and after is not None and bool(keep[before]) and bool(keep[after])


GATE_FEATURES = (
    "cheap_share", "region_score", "runner_up", "cheap_lines", "cheap_line_tokens", "comment", "negative",
    "positive", "article", "sentences", "page_tokens", "filtered", "longest_outside", "chrome", "links",
)


def gate_features(page: Any, region: Any, flags: list[bool], cheap: list[Any]) -> list[float]:
    """What the gate reads of the cheap path alone: how much of the page it kept, how clearly its region won,
    what kind of lines it kept (comment-like, linked, sentences)."""
    from crawler.extract import generic

    lines = page.lines
    total = sum(line.tokens for line in lines) or 1
    kept = sum(line.tokens for line in cheap) or 1
    chosen = {line.index for line in cheap}
    hints = [0.0, 0.0, 0.0, 0.0]
    sentences = links = 0.0
    for line in cheap:
        h = page.hints(line.owner)
        for k in range(4):
            hints[k] += line.tokens * h[k]
        sentences += 1.0 if generic.is_paragraph(line) else 0.0
        links += line.tokens * line.link
    in_region = sum(line.tokens for line, inside in zip(lines, flags, strict=True) if inside)
    outside = max((line.tokens for line in lines if line.index not in chosen), default=0)
    inside_max = max((line.tokens for line in cheap), default=0)
    score = max(region.score, 0.0)
    return [
        sum(line.tokens for line in cheap) / total, math.log1p(score),
        region.runner_up / score if score > 0 else 1.0, math.log1p(len(cheap)),
        kept / len(cheap) if cheap else 0.0, *(h / kept for h in hints), sentences / len(cheap) if cheap else 0.0,
        math.log1p(total), (in_region - sum(line.tokens for line in cheap)) / total, outside / (inside_max + 1),
        sum(line.tokens for line in lines if line.chrome) / total, links / kept,
    ]


# Features --------------------------------------------------------------------------------------

FEATURES = (
    "bias", "cheap", "region", "traf", "read", "traf_ok", "read_ok", "traf_x_read", "cheap_x_traf", "cheap_x_read",
    "log_tokens", "punct_density", "has_sentence", "link", "heading", "list_item", "table_cell", "quote",
    "class_weight", "noise", "tail", "after_tail", "position", "near_traf", "near_read", "near_cheap", "title",
    "short", "rel_size", "chrome", "traf_span", "read_span", "cheap_span", "structured", "structured_ok",
    "comment_anc", "negative_anc", "positive_anc", "article_anc", "header_anc", "after_title", "title_distance",
    "traf_share", "read_share", "cheap_share", "agreement", "repeated", "date_like", "ends_sentence",
)


def _span(votes: list[float]) -> tuple[int, int]:
    kept = [i for i, v in enumerate(votes) if v >= 0.5]
    return (kept[0], kept[-1]) if kept else (-1, -1)


def line_features(page: Any, flags: list[bool], cheap: set[int], outputs: dict[str, Output | None],
                  title_at: int | None, structured: Output | None = None) -> tuple[list[list[float]], list[list[str]]]:
    """One feature row per page line (see ``FEATURES``) and the line's words."""
    from crawler.extract import generic

    lines = page.lines
    n = len(lines) or 1
    all_words = [line.words for line in lines]
    votes: dict[str, list[float]] = {}
    for name in VOTERS:
        out = outputs.get(name)
        if out is None or not out.size:  # an abstaining voter seconds the cheap path (its *_ok feature says so)
            votes[name] = [1.0 if i in cheap else 0.0 for i in range(len(lines))]
        else:
            votes[name] = [out.coverage(w) if w else 0.0 for w in all_words]
    ours = [1.0 if i in cheap else 0.0 for i in range(len(lines))]
    spans = [_span(votes["trafilatura"]), _span(votes["readability"]), _span(ours)]
    given = [structured.coverage(w) if w else 0.0 for w in all_words] if structured is not None else None
    biggest = max((line.tokens for line in lines), default=1) or 1
    total = sum(line.tokens for line in lines) or 1
    shares = [sum(line.tokens * v[i] for i, line in enumerate(lines)) / total
              for v in (votes["trafilatura"], votes["readability"], ours)]
    kept = [sum(1 for v in (votes["trafilatura"][i], votes["readability"][i], ours[i]) if v >= 0.5)
            for i in range(len(lines))]
    seen: dict[str, int] = {}
    for line in lines:
        seen[line.text] = seen.get(line.text, 0) + 1
    voted = sum(line.tokens for i, line in enumerate(lines) if kept[i])
    agreement = sum(line.tokens for i, line in enumerate(lines) if kept[i] == 3) / voted if voted else 0.0
    tail_seen = False
    rows = []
    for i, line in enumerate(lines):
        tokens = line.tokens
        tail = bool(line.text) and seen[line.text] < generic.SLOGAN_TIMES and generic.is_tail(line)
        lo, hi = max(0, i - 2), min(len(lines), i + 3)
        width = hi - lo - 1 or 1

        def near(v: list[float], lo: int = lo, hi: int = hi, i: int = i, width: int = width) -> float:
            return (sum(v[lo:hi]) - v[i]) / width

        tag = line.tag
        t, r, c = votes["trafilatura"][i], votes["readability"][i], ours[i]
        rows.append([
            1.0, c, 1.0 if flags[i] else 0.0, t, r,
            1.0 if outputs.get("trafilatura") else 0.0, 1.0 if outputs.get("readability") else 0.0,
            t * r, c * t, c * r,
            math.log1p(tokens), line.punct / tokens if tokens else 0.0, 1.0 if generic.is_paragraph(line) else 0.0,
            line.link, 1.0 if tag in generic.HEADING_TAGS else 0.0, 1.0 if tag in ("li", "dd", "dt") else 0.0,
            1.0 if tag in ("td", "th") else 0.0, 1.0 if tag in ("blockquote", "pre") else 0.0,
            page.class_weight(line.container) / 25 if line.container is not None else 0.0,
            1.0 if line.text and generic.is_noise(line.text) else 0.0, 1.0 if tail else 0.0,
            1.0 if tail_seen else 0.0, i / n, near(votes["trafilatura"]), near(votes["readability"]), near(ours),
            1.0 if title_at == i else 0.0, 1.0 if tokens < 5 else 0.0, tokens / biggest,
            1.0 if line.chrome else 0.0, *(1.0 if a <= i <= b else 0.0 for a, b in spans),
            given[i] if given is not None else 0.0, 1.0 if given is not None else 0.0,
            *page.hints(line.owner), 1.0 if title_at is not None and i > title_at else 0.0,
            min(1.0, abs(i - title_at) / 50) if title_at is not None else 1.0, *shares, agreement,
            1.0 if seen.get(line.text, 0) > 1 else 0.0,
            1.0 if len(line.text) <= 80 and generic.looks_dated(line.text) else 0.0,
            1.0 if _SENTENCE_END.search(line.text) else 0.0,
        ])
        tail_seen = tail_seen or (tail and flags[i])
    return rows, all_words


def structured_body(root: Any) -> str | None:
    """The ``articleBody`` of the page's JSON-LD, if it gives one of some length."""
    texts = [script.text for script in root.iter("script") if script.text and "articleBody" in script.text
             and (script.get("type") or "").strip().lower() == "application/ld+json"]
    for data in jsonld_blocks(texts):
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                body = node.get("articleBody")
                if isinstance(body, str) and len(body) >= 200:
                    return body
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
    return None
