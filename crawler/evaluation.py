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
