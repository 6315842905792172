"""Which encoding to read a page with when its declaration is missing or wrong.

Chinese pages often declare GBK while serving UTF-8 (a re-saved page) or declare nothing at
all. Valid UTF-8 with non-ASCII bytes is almost never GBK by chance, so it wins over a GB or
Big5 declaration; bytes that are not UTF-8 are tried as GB18030 (a superset of GB2312/GBK),
then Big5.
"""

from __future__ import annotations

import codecs

_CJK_LEGACY = {"gbk", "gb2312", "gb18030", "hz", "big5", "big5hkscs", "cp950", "cp936"}


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
    if current_name in _CJK_LEGACY and _decodes(body, current_name):
        return None
    for candidate in ("gb18030", "big5"):
        if _decodes(body, candidate):
            return None if candidate == current_name else candidate
    return None
