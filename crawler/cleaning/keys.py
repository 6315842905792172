"""Comparison keys and small predicates on lines, shared by the cleaning steps."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SLOGAN_OCCURRENCES = 3  # a line seen this often in one article may be a slogan inserted into it

_NON_WORD_BUT_MARKS = re.compile(r"[^\w。！？!?；;…]+|_+")
_SENTENCE_MARKS = re.compile(r"[。！？!?；;…]+")
_QUESTION_END = re.compile(r"[?？][\"'”’」』)）]*$")
# 1、 1. 1) (1) （一） 一、 第一 ① Ⅰ A. ...
_ENUMERATED = re.compile(
    r"^\s*(?:[(（\[【]?\s*(?:\d{1,3}|[一二三四五六七八九十百]{1,3}|[A-Za-z]|[ⅰ-ⅿⅠ-Ⅿ]{1,4})\s*[)）\]】]"
    r"|(?:\d{1,3}|[一二三四五六七八九十百]{1,3}|[A-Za-z]|[ⅰ-ⅿⅠ-Ⅿ]{1,4})\s*[、.．:：)）]"
    r"|[①-⑳⑴-⒇⒈-⒛❶-❿]|第[一二三四五六七八九十百\d]+[章节部分条点个步]|\d{1,3}\s*$)"
)
# A photo credit or caption: kept by the corpus convention, and legitimately repeated.
_CAPTION = re.compile(
    r"(?:供图|摄影?\s*$|摄\s|图片来源|图片來源|圖片來源|图源|图\s*[/／|丨]|图片[:：]|资料图|視頻截圖|视频截图|截图|配图"
    r"|^图\d*\s*[:：])"
)
_LABEL_END = re.compile(r"[:：]\s*$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;，,、…]")
_FULLWIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}  # ！..～ -> !..~, ideographic space


@lru_cache(maxsize=16384)
def sentence_keys(line: str) -> tuple[str, ...]:
    """The keys of the sentences of a line (split at 。！？!?；;…), in order; they join to its key."""
    text = line.casefold()
    if not text.isascii():
        text = text.translate(_FULLWIDTH)  # what NFKC does to fullwidth ASCII, without NFKC on most CJK lines
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text).casefold()
    return tuple(part for part in _SENTENCE_MARKS.split(_NON_WORD_BUT_MARKS.sub("", text)) if part)


@lru_cache(maxsize=16384)
def line_key(line: str) -> str:
    """Equality key: NFKC, casefolded, whitespace, punctuation and symbols removed."""
    return "".join(sentence_keys(line))


def is_question(line: str) -> bool:
    return bool(_QUESTION_END.search(line.strip()))


def is_enumerated(line: str) -> bool:
    return bool(_ENUMERATED.match(line))


def is_caption(line: str) -> bool:
    return bool(_CAPTION.search(line))


def is_label(line: str) -> bool:
    return bool(_LABEL_END.search(line))


def has_sentence_punct(line: str) -> bool:
    return bool(_SENTENCE_PUNCT.search(line))


@dataclass(frozen=True)
class Removal:
    """One removed line (or inline cut) with the kind and rule that removed it."""

    line: str
    kind: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {"line": self.line, "kind": self.kind, "rule": self.rule}
