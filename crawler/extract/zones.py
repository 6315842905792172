"""The timezone a page of an unknown site is published in, for dates it prints without an offset.

A site spider declares its timezone; the generic spider reads each page's (``crawler/rules/timezones.txt``):

1. the host's country code (``.de``, ``.jp``; not the codes sold as generic domains);
2. the script of the headline: kana is Japanese, Hangul Korean, Chinese characters Chinese (templates
   often declare ``lang="en"`` on Chinese pages, so the script is read before the declaration);
3. the region of the declared locale (``<html lang="en-GB">``, ``og:locale`` ``pt_BR``);
4. the declared language, when it is written mostly in one timezone (``de``, ``pl``; not ``en`` or ``es``);
5. else UTC: a time given in UTC (``Z``, ``+00:00``) then stays as the page gives it, where converting it
   to a guessed zone would move the day of a late-evening article.

Pure: no network, settings or spider state.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from crawler.extract.phrases import RULES_DIR

ZONES_FILE = "timezones.txt"
UNKNOWN = "UTC"
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LOCALE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_](?:[A-Za-z]{4}[-_])?([A-Za-z]{2}))?\b")
_HEAD_TEXT = ("//title//text()", "//h1//text()", "//meta[@property='og:title']/@content",
              "//meta[@name='description']/@content")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    places: dict[str, str] = {}
    languages: dict[str, str] = {}
    for raw in (RULES_DIR / ZONES_FILE).read_text(encoding="utf-8").splitlines():
        parts = raw.split()
        if len(parts) != 3 or raw.lstrip().startswith("#"):
            continue
        kind, key, zone = parts
        (languages if kind == "lang" else places)[key.lower()] = zone
    return places, languages


def script_zone(text: str) -> str | None:
    """The zone a text's script gives: Japanese, Korean or Chinese, else None."""
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    _places, languages = _tables()
    if len(_KANA.findall(text)) >= 2:
        return languages["ja"]
    if len(_HANGUL.findall(text)) / letters >= 0.2:
        return languages["ko"]
    if len(_HAN.findall(text)) / letters >= 0.2:
        return languages["zh"]
    return None


def timezone_of_page(root: Any, url: str, locale: str | None = None) -> str:
    """The IANA zone of the page ``root`` (an lxml root) at ``url``, whose declared locale is ``locale``."""
    places, languages = _tables()
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld in places:
        return places[tld]
    head = " ".join(str(t) for query in _HEAD_TEXT for t in root.xpath(query)[:3]) if root is not None else ""
    if not any(ch.isalpha() for ch in head) and root is not None:
        body = root.find("body")
        head = "".join(body.itertext())[:3000] if body is not None else ""
    if zone := script_zone(head):
        return zone
    if locale and (m := _LOCALE.match(locale)):
        language, region = m.group(1).lower(), (m.group(2) or "").lower()
        if region in places:
            return places[region]
        if language in languages:
            return languages[language]
    return UNKNOWN
