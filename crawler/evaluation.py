"""Scores an extracted article against a label, as the corpus README defines it.

Body: bag-of-tokens overlap after NFKC, each CJK character one token, other text split
into ``\\w+`` words, punctuation dropped. Title: equal after NFKC, casefolding and
removing whitespace and punctuation. Date: the same calendar day as printed, and the
minute where the label gives a time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_LABEL_DATE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})(?:\D{1,3}(\d{1,2}))?(?:\D+(\d{1,2}):(\d{2}))?")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text or "").casefold())


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


@dataclass
class PageResult:
    id: str
    spider: str
    body: Score | None
    title: bool | None
    day: bool | None
    minute: bool | None
    error: str | None = None


def labelled_pages(root: str) -> list[tuple[str, dict]]:
    """(html path, label) for every ``<case>.json`` under ``root`` that has a sibling ``<case>.html``."""
    import json
    from pathlib import Path

    pages = []
    for label_path in sorted(Path(root).rglob("*.json")):
        html = label_path.with_suffix(".html")
        if html.exists():
            pages.append((str(html), json.loads(label_path.read_text(encoding="utf-8"))))
    return pages


def score_page(label: dict, item: dict | None, spider: str, error: str | None = None) -> PageResult:
    expected = label.get("expected") or {}
    got = item or {}
    body = body_score(got.get("body") or "", expected["body"]) if expected.get("body") else None
    title = title_match(got.get("title"), expected["title"]) if expected.get("title") else None
    day = minute = None
    if expected.get("published_at"):
        day, minute = date_match(got.get("published_at"), expected["published_at"])
    return PageResult(label.get("id", ""), spider, body, title, day, minute, error)


def summarise(results: list[PageResult]) -> dict[str, dict[str, float | int]]:
    """Means per spider and over all pages: body P/R/F1, title and date match rates."""
    groups: dict[str, list[PageResult]] = {}
    for r in results:
        groups.setdefault(r.spider, []).append(r)
        groups.setdefault("ALL", []).append(r)
    out: dict[str, dict[str, float | int]] = {}
    for name, rs in groups.items():
        bodies = [r.body for r in rs if r.body is not None]
        row: dict[str, float | int] = {"pages": len(rs), "errors": sum(1 for r in rs if r.error)}
        if bodies:
            row.update(precision=sum(b.precision for b in bodies) / len(bodies),
                       recall=sum(b.recall for b in bodies) / len(bodies), f1=sum(b.f1 for b in bodies) / len(bodies))
        for key in ("title", "day", "minute"):
            vals = [getattr(r, key) for r in rs if getattr(r, key) is not None]
            if vals:
                row[key] = sum(vals) / len(vals)
        out[name] = row
    return out
