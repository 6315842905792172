"""Phrase lists kept as data (``crawler/rules/*.txt``), compiled to one regex each.

Two shapes of list:

- ``whole_line``: a plain entry matches a whole line, case, whitespace and the punctuation around
  it ignored ("Share", "【纠错】", "Print this page"); ``re:`` entries are regexes searched in the line;
- ``line_start``: a plain entry matches the start of a line (after brackets and punctuation), and,
  when it ends with a letter of a spaced script, only before a word boundary ("Related" matches
  "Related: ..." but not "Relatedly"); ``re:`` entries are searched.

Lines of text are compared with ``str.casefold`` applied; entries are casefolded when compiled.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_EDGE = r"[\W_]*"


def _entries(path: Path) -> tuple[list[str], list[str]]:
    plain, regexes = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("re:"):
            regexes.append(entry[3:])
        else:
            plain.append(entry.casefold())
    return plain, regexes


def _phrase(entry: str) -> str:
    return r"\s*".join(re.escape(part) for part in entry.split())


@lru_cache(maxsize=16)
def whole_line(name: str) -> re.Pattern[str]:
    """Whole-line matcher of ``crawler/rules/<name>``."""
    plain, regexes = _entries(RULES_DIR / name)
    parts = []
    if plain:
        alternatives = "|".join(_phrase(p) for p in sorted(plain, key=len, reverse=True))
        parts.append(rf"^{_EDGE}(?:{alternatives}){_EDGE}$")
    parts.extend(f"(?:{r})" for r in regexes)
    return re.compile("|".join(parts) or r"(?!)", re.I)


@lru_cache(maxsize=16)
def line_start(name: str) -> re.Pattern[str]:
    """Line-start matcher of ``crawler/rules/<name>``."""
    plain, regexes = _entries(RULES_DIR / name)
    alternatives = []
    for entry in sorted(plain, key=len, reverse=True):
        boundary = r"(?![^\W\d_])" if entry[-1:].isalpha() and entry[-1:].isascii() else ""
        alternatives.append(_phrase(entry) + boundary)
    parts = [rf"^{_EDGE}(?:{'|'.join(alternatives)})"] if alternatives else []
    parts.extend(f"(?:{r})" for r in regexes)
    return re.compile("|".join(parts) or r"(?!)", re.I)
