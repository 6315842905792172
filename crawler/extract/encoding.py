"""Which encoding to read a page with when its declaration is missing or wrong.

Chinese pages often declare GBK while serving UTF-8 (a re-saved page) or declare nothing at
all. Valid UTF-8 with non-ASCII bytes is almost never GBK by chance, so it wins over a GB or
Big5 declaration; bytes that are not UTF-8 are tried as GB18030 (a superset of GB2312/GBK),
then Big5, and taken only when they read as Chinese text. GB18030 decodes almost any bytes:
a German or French page in Latin-1 comes out as one ideograph per accented letter, glued to
the Latin letters around it (``ver鰂fentlichen``), which Chinese prose never looks like.
"""

from __future__ import annotations

import codecs
import re

_CJK_LEGACY = {"gbk", "gb2312", "gb18030", "hz", "big5", "big5hkscs", "cp950", "cp936"}
# Korean and Japanese multi-byte encodings: a declaration or guess of one that decodes stands
_OTHER_CJK = {"cp949", "euc_kr", "iso2022_kr", "johab", "cp932", "shift_jis", "shift_jisx0213", "euc_jp",
              "euc_jis_2004", "euc_jisx0213", "iso2022_jp"}
_IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
CHINESE_RUN_SHARE = 0.5  # of the ideographs, at least this share stands in runs of two or more...
LATIN_TOUCH_SHARE = 0.2  # ...and at most this share touches a Latin letter


def _name(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str, tolerance: float = 0.002) -> bool:
    """True when ``body`` reads in ``encoding`` with at most a few bad bytes (a truncated tail, a stray byte)."""
    try:
        body.decode(encoding)
    except LookupError:
        return False
    except UnicodeDecodeError:
        text = body.decode(encoding, "replace")
        bad = text.count("\ufffd")
        non_ascii = (len(text) - len(text.encode("ascii", "ignore"))) or 1
        return bad <= 2 or bad / non_ascii <= tolerance
    return True


def reads_as_chinese(text: str) -> bool:
    """True when the ideographs of ``text`` stand in runs, as in Chinese prose, not one at a time
    inside Latin words, as a single-byte page read in a GB or Big5 encoding gives."""
    total = in_runs = touching = 0
    for run in _IDEOGRAPHS.finditer(text):
        size = run.end() - run.start()
        total += size
        if size > 1:
            in_runs += size
        before = text[run.start() - 1] if run.start() else ""
        after = text[run.end()] if run.end() < len(text) else ""
        touching += (bool(before) and bool(_LATIN.match(before))) + (bool(after) and bool(_LATIN.match(after)))
    if not total:
        return False
    return in_runs / total >= CHINESE_RUN_SHARE and touching / total <= LATIN_TOUCH_SHARE


def better_encoding(body: bytes, declared: str | None, current: str | None) -> str | None:
    """An encoding to use instead of ``current`` (what the response decodes with now), or None to keep it.

    ``declared`` is what the headers or ``<meta charset>`` say (None when nothing does).
    """
    if body[:3] == codecs.BOM_UTF8 or body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    declared_name, current_name = _name(declared), _name(current)
    if body.isascii():
        return None
    if _decodes(body, "utf-8"):
        if current_name != "utf-8" and (declared_name is None or declared_name in _CJK_LEGACY):
            return "utf-8"
        return None
    if (current_name in _CJK_LEGACY or current_name in _OTHER_CJK) and _decodes(body, current_name):
        return None
    for candidate in ("gb18030", "big5"):
        if _decodes(body, candidate) and reads_as_chinese(body.decode(candidate, "replace")):
            return None if candidate == current_name else candidate
    return None
