"""Scores extracted articles against labelled pages, as the corpus README defines it.

Three layouts are read (``load_corpus``):

- labelled pages: ``<group>/<case>.html`` beside ``<case>.json`` (``expected`` title, date, body);
- gold bodies: ``labels.jsonl`` lines ``{"id", "subset", "path", "url", "body"}``, pages gzipped;
- snippets: ``labels.jsonl`` lines ``{"id", "path", "url", "with": [...], "without": [...]}``.

Body: bag-of-tokens overlap after NFKC, each CJK character one token, other text split into
``\\w+`` words, punctuation dropped; an exact match is the same token sequence. Snippets: a
"with" snippet found in the body is a true positive, a "without" snippet found a false positive
(whitespace ignored), as trafilatura's evaluation counts them. Invisible format characters (soft
hyphens, zero-width and bidi marks) are not text in either. Title: equal after NFKC,
casefolding and removing whitespace and punctuation. Date: the same calendar day as printed,
and the minute where the label gives a time.

Every page belongs to one of two fixed halves by a hash of its id (``split_of``): thresholds
are decided on ``tune`` and confirmed on ``held``.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

from crawler.cleaning.normalize import INVISIBLE

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_LABEL_DATE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})(?:\D{1,3}(\d{1,2}))?(?:\D+(\d{1,2}):(\d{2}))?")
_WRAPPER = re.compile(rb'\s*<text id="([^"]*)"[^>]*?(?:encoding="([^"]*)")?[^>]*>')
_SPACE = re.compile(r"\s+")
# The characters the cleaning removes as invisible are not text here either: a label that carries them (a
# soft-hyphenated German snippet) and a body without them read the same.
_INVISIBLE = re.compile(f"[{re.escape(INVISIBLE)}]")
DEFAULT_URL = "http://example.com/"
SPLITS = ("tune", "held")

logger = logging.getLogger(__name__)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text or "")).casefold())


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def body_score(predicted: str, expected: str) -> Score:
    pred, gold = Counter(tokens(predicted)), Counter(tokens(expected))
    if not pred and not gold:
        return Score(1.0, 1.0, 1.0)
    overlap = sum((pred & gold).values())
    p = overlap / sum(pred.values()) if pred else 0.0
    r = overlap / sum(gold.values()) if gold else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def exact_match(predicted: str, expected: str) -> bool:
    """The same token sequence: every word kept, nothing added, in order."""
    return tokens(predicted) == tokens(expected)


@dataclass(frozen=True)
class Snippets:
    """Snippet counts of one page: "with" snippets found (tp) or not (fn), "without" found (fp) or not (tn)."""

    tp: int
    fn: int
    fp: int
    tn: int

    @property
    def score(self) -> Score:
        return _snippet_score(self.tp, self.fn, self.fp)


def _snippet_score(tp: int, fn: int, fp: int) -> Score:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _squeeze(text: str) -> str:
    return _SPACE.sub("", _INVISIBLE.sub("", text))


def snippet_counts(predicted: str, with_: list[str], without: list[str]) -> Snippets:
    text = _squeeze(predicted or "")
    found = [_squeeze(s) in text for s in with_]
    leaked = [_squeeze(s) in text for s in without]
    return Snippets(sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked))


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] in "PS"))


def title_match(predicted: str | None, expected: str | None) -> bool:
    return normalise_title(predicted or "") == normalise_title(expected or "")


def date_match(predicted_iso: str | None, expected: str | None) -> tuple[bool, bool]:
    """(same day, same minute) of an ISO prediction against a label as printed.

    The minute counts as matched when the label gives no time of day and the day matches.
    """
    if not expected:
        return (True, True)
    m = _LABEL_DATE.match(expected.strip())
    p = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?", predicted_iso or "")
    if not m or not p:
        return (False, False)
    y, mo, d, hh, mm = m.groups()
    day = int(p.group(1)) == int(y) and int(p.group(2)) == int(mo) and (d is None or int(p.group(3)) == int(d))
    if hh is None:
        return (day, day)
    minute = day and p.group(4) is not None and (int(p.group(4)), int(p.group(5))) == (int(hh), int(mm))
    return (day, minute)


def split_of(page_id: str) -> str:
    """``tune`` or ``held``: a fixed half of the pages, by a hash of the page id."""
    return SPLITS[blake2b(page_id.encode("utf-8"), digest_size=4).digest()[0] & 1]


# Pages ------------------------------------------------------------------------------------


@dataclass
class CorpusPage:
    """One labelled page: ``group`` is its subset (``dragnet``, ``snippets``) or its spider (``generic``)."""

    id: str
    group: str
    path: Path
    url: str | None
    label: dict
    spider: str | None = None
    split: str = field(init=False)

    def __post_init__(self) -> None:
        self.split = split_of(self.id)

    def read(self) -> tuple[str, dict[str, str], bytes]:
        """URL, response headers and bytes, as a download would give them.

        A CleanEval-style ``<text id=URL encoding=CHARSET>`` wrapper gives the URL and charset.
        """
        raw = self.path.read_bytes()
        if self.path.suffix == ".gz":
            raw = gzip.decompress(raw)
        url, headers = self.url or "", {}
        if wrapper := _WRAPPER.match(raw):
            url = url or wrapper.group(1).decode("latin-1")
            charset = (wrapper.group(2) or b"").decode("ascii", "replace")
            if charset and charset != "unset":
                headers["Content-Type"] = "text/html; charset=" + charset
        if not url.startswith(("http://", "https://")):
            url = DEFAULT_URL
        return url, headers, raw

    def html(self) -> str:
        """The page decoded as a crawl reads it: Scrapy's ``HtmlResponse``, re-read by the encoding
        middleware when its charset is missing or wrong, so every extractor compared gets the same text."""
        from scrapy.http import HtmlResponse

        from crawler.middlewares.encoding import fix_encoding

        url, headers, raw = self.read()
        return fix_encoding(HtmlResponse(url, body=raw, headers=headers))[0].text


def labelled_pages(root: str) -> list[tuple[str, dict]]:
    """(html path, label) for every ``<case>.json`` under ``root`` that has a sibling ``<case>.html``."""
    pages = []
    for label_path in sorted(Path(root).rglob("*.json")):
        html = label_path.with_suffix(".html")
        if not html.exists():
            continue
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("Not a label, skipped: %s: %s", label_path, exc)
            continue
        if not isinstance(label, dict) or not isinstance(label.get("expected"), dict):
            logger.warning('Not a label, skipped: %s: no "expected" object', label_path)
            continue
        pages.append((str(html), label))
    return pages


def load_corpus(root: str | Path) -> list[CorpusPage]:
    """Every labelled page under ``root``, whichever of the three layouts it uses."""
    root = Path(root)
    index = root / "labels.jsonl"
    if index.exists():
        pages = []
        for number, line in enumerate(index.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                logger.warning("Not a label, skipped: %s line %d: %s", index, number, exc)
                continue
            if not isinstance(row, dict) or not row.get("id") or not row.get("path"):
                logger.warning('Not a label, skipped: %s line %d: no "id" and "path"', index, number)
                continue
            group = "snippets" if "with" in row else row.get("subset") or root.name
            url = row.get("url") if str(row.get("url") or "").startswith("http") else None
            pages.append(CorpusPage(row["id"], group, root / row["path"], url, row))
        return pages
    pages = []
    for html, label in labelled_pages(str(root)):
        spider = label.get("spider")
        pages.append(CorpusPage(label.get("id") or Path(html).stem, spider or "generic", Path(html),
                                label.get("url"), label, spider))
    return pages


# Scores -----------------------------------------------------------------------------------


@dataclass
class PageResult:
    id: str
    spider: str  # the group: subset or spider
    body: Score | None
    title: bool | None
    day: bool | None
    minute: bool | None
    error: str | None = None
    exact: bool | None = None
    snippets: Snippets | None = None
    split: str = ""


def score_page(label: dict, item: dict | None, spider: str, error: str | None = None, split: str = "") -> PageResult:
    """One page's scores: ``label`` is a labelled page's label, a gold-body line or a snippet line."""
    got = item or {}
    predicted = got.get("body") or ""
    if "with" in label:
        snips = snippet_counts(predicted, label.get("with") or [], label.get("without") or [])
        return PageResult(label.get("id", ""), spider, None, None, None, None, error, snippets=snips, split=split)
    expected = label.get("expected") or ({"body": label["body"]} if "body" in label else {})
    body = exact = None
    if expected.get("body"):
        body, exact = body_score(predicted, expected["body"]), exact_match(predicted, expected["body"])
    title = title_match(got.get("title"), expected["title"]) if expected.get("title") else None
    day = minute = None
    if expected.get("published_at"):
        day, minute = date_match(got.get("published_at"), expected["published_at"])
    return PageResult(label.get("id", ""), spider, body, title, day, minute, error, exact, split=split)


def _row(rs: list[PageResult]) -> dict[str, float | int]:
    row: dict[str, float | int] = {"pages": len(rs), "errors": sum(1 for r in rs if r.error)}
    bodies = [r.body for r in rs if r.body is not None]
    if bodies:
        row.update(precision=sum(b.precision for b in bodies) / len(bodies),
                   recall=sum(b.recall for b in bodies) / len(bodies), f1=sum(b.f1 for b in bodies) / len(bodies))
        row["exact"] = sum(1 for r in rs if r.exact) / len(bodies)
    snips = [r.snippets for r in rs if r.snippets is not None]
    if snips:
        tp, fn, fp, tn = (sum(getattr(s, k) for s in snips) for k in ("tp", "fn", "fp", "tn"))
        pooled = _snippet_score(tp, fn, fp)
        row.update(precision=pooled.precision, recall=pooled.recall, f1=pooled.f1,
                   accuracy=(tp + tn) / max(tp + fn + fp + tn, 1))
    for key in ("title", "day", "minute"):
        vals = [getattr(r, key) for r in rs if getattr(r, key) is not None]
        if vals:
            row[key] = sum(vals) / len(vals)
    return row


def summarise(results: list[PageResult], by_split: bool = False) -> dict[str, dict[str, float | int]]:
    """Means per group and over all pages: body P/R/F1 and exact match (snippets: the pooled counts'
    P/R/F1 and accuracy), title and date match rates. ``by_split`` adds ``<group>/tune`` and ``<group>/held``."""
    groups: dict[str, list[PageResult]] = {}
    for r in results:
        names = [r.spider, "ALL"]
        if by_split and r.split:
            names += [f"{r.spider}/{r.split}", f"ALL/{r.split}"]
        for name in names:
            groups.setdefault(name, []).append(r)
    return {name: _row(rs) for name, rs in groups.items()}
