"""Text normalisation: Unicode, whitespace, invisible characters, HTML entities, mojibake, script.

CJK punctuation is kept as the page wrote it: full-width ``，：？！（）`` are not folded to ASCII
(NFKC would). Full-width letters and digits, compatibility spaces, ligatures and Kangxi radicals
are folded to their plain forms. Pure functions, no Scrapy.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Literal

import ftfy

Script = Literal["keep", "hans", "hant"]
SCRIPTS: tuple[str, ...] = ("keep", "hans", "hant")

# Zero-width, bidi marks and isolates, BOM, soft hyphen, word joiners: not text, removed outright (and ignored
# by the evaluation's scoring).
INVISIBLE = (
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"
)
# C0/C1 controls except tab and newline (tab becomes a space below).
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)))
_DELETE = {ord(ch): None for ch in INVISIBLE + _CONTROLS}
_INVISIBLE_RE = re.compile(f"[{re.escape(INVISIBLE + _CONTROLS)}]")


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Full-width ASCII letters and digits -> ASCII (punctuation in that block is kept).
    for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):
        table[cp] = chr(cp - 0xFEE0)
    # Compatibility spaces (NBSP, en/em spaces, ideographic space ...) -> space.
    for cp in (0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000):
        table[cp] = " "
    # Kangxi radicals and CJK radicals supplement look like ideographs: fold to the ideograph.
    for cp in (*range(0x2F00, 0x2FD6), *range(0x2E80, 0x2EF4)):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp):
            table[cp] = folded
    for lig in "\ufb00\ufb01\ufb02\ufb03\ufb04":
        table[ord(lig)] = unicodedata.normalize("NFKC", lig)
    table.update(_DELETE)
    return table


_FOLD = _fold_table()
# Characters folded by _FOLD other than spaces (handled by _SPACE_CHARS) and invisibles (removed first).
_FOLDABLE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2e80-\u2ef3\u2f00-\u2fd5\ufb00-\ufb04]")
_SPACE_CHARS = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_SPACES = re.compile(r"[ \t]{2,}")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
# A UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the same way.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    normalization="NFC",
    explain=False,
)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/cp1252 (``ä¸­æ–‡`` -> ``中文``); text without the symptom is returned as is."""
    if not _MOJIBAKE.search(text):
        return text
    return ftfy.fix_text(text, _FTFY)


def unescape_entities(text: str) -> str:
    """Decode HTML entities, twice at most (``&amp;nbsp;`` was escaped twice)."""
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


@lru_cache(maxsize=2)
def _converter(script: str):  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("t2s" if script == "hans" else "s2t")


def convert_script(text: str, script: str) -> str:
    """Convert Chinese script with OpenCC: ``hans`` (simplified), ``hant`` (traditional) or ``keep``."""
    if script == "keep" or not text:
        return text
    if script not in SCRIPTS:
        raise ValueError(f"TEXT_SCRIPT must be one of {SCRIPTS}, not {script!r}")
    return _converter(script).convert(text)


def normalize_line(line: str) -> str:
    """One line: NFC, folded compatibility forms, no invisible characters, single spaces, stripped."""
    line = unicodedata.normalize("NFC", line).translate(_FOLD)
    if "  " in line:
        line = _SPACES.sub(" ", line)
    return line.strip()


def normalize_text(text: str, script: str = "keep", changes: Counter[str] | None = None) -> str:
    """A body: normalised lines joined by ``\\n``, empty lines dropped.

    ``changes`` (if given) counts what was repaired: ``html_entities``, ``mojibake``,
    ``invisible_chars``, ``script``.
    """
    if not text:
        return ""
    changes = changes if changes is not None else Counter()
    unescaped = unescape_entities(text)
    if unescaped != text:
        changes["html_entities"] += 1
    fixed = fix_mojibake(unescaped)
    if fixed != unescaped:
        changes["mojibake"] += 1
    fixed, invisible = _INVISIBLE_RE.subn("", fixed)
    if invisible:
        changes["invisible_chars"] += invisible
    if not unicodedata.is_normalized("NFC", fixed):
        fixed = unicodedata.normalize("NFC", fixed)
    if _FOLDABLE.search(fixed):
        fixed = fixed.translate(_FOLD)
    fixed = _SPACES.sub(" ", _SPACE_CHARS.sub(" ", _LINE_BREAKS.sub("\n", fixed)))
    out = "\n".join(stripped for line in fixed.split("\n") if (stripped := line.strip()))
    converted = convert_script(out, script)
    if converted != out:
        changes["script"] += 1
    return converted


def normalize_title(title: str, script: str = "keep", changes: Counter[str] | None = None) -> str:
    """A title: like a body, but on one line."""
    return " ".join(normalize_text(title, script, changes).split("\n"))
