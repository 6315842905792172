"""The timezone a page of an unknown site is published in, for dates it prints without an offset.

A site spider declares its timezone; the generic spider reads each page's. The page's own clocks come
first: a time stamped with an offset beside the same time written without one
(``datePublished`` ``2023-11-09T05:30:59Z``, ``<time datetime="2023-11-08 23:30:59">``) gives the offset
the site prints its times in (``clock_offset``). Else, from ``crawler/rules/timezones.txt``:

1. the host's country code (``.de``, ``.jp``; not the codes sold as generic domains);
2. the script of the headline: kana is Japanese, Hangul Korean, Chinese characters Chinese (templates
   often declare ``lang="en"`` on Chinese pages, so the script is read before the declaration);
3. the region of the declared locale (``<html lang="en-GB">``, ``og:locale`` ``pt_BR``);
4. the declared language, when it is written mostly in one timezone (``de``, ``pl``; not ``en`` or ``es``);
5. else the offset the page gives one of its UTC times in elsewhere (``utc_twin_offset``: metadata in UTC,
   the same instant in the page's own scripts at ``-05:00``);
6. else UTC: a time given in UTC (``Z``, ``+00:00``) then stays as the page gives it, where converting it
   to a guessed zone would move the day of a late-evening article.

Pure: no network, settings or spider state.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone, tzinfo
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
_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?(?![\d:.])")
_STAMPED = ("//meta/@content", "//time/@datetime", "//*[@itemprop]/@datetime",
            "//script[@type='application/ld+json']/text()")
_MAX_OFFSET = timedelta(hours=14)
_QUARTER = timedelta(minutes=15)
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


def _stamps(root: Any, queries: tuple[str, ...]) -> Iterator[tuple[datetime, int | None]]:
    """Every ``YYYY-MM-DD hh:mm:ss`` the values at ``queries`` hold, with its offset in minutes (None: none given)."""
    for query in queries:
        for value in root.xpath(query)[:200]:
            for m in _STAMP.finditer(str(value)[:20000]):
                try:
                    stamp = datetime(*(int(g) for g in m.groups()[:6]))
                except ValueError:
                    continue
                offset = (m.group(7) or "").replace(":", "")
                yield stamp, (None if not offset else 0 if offset == "Z"
                              else int(offset[0] + "1") * (int(offset[1:3]) * 60 + int(offset[3:5])))


def _most_common(offsets: Counter[timedelta]) -> tzinfo | None:
    if not offsets:
        return None
    (best, n), *rest = offsets.most_common(2)
    return timezone(best) if not rest or rest[0][1] < n else None


def clock_offset(root: Any) -> tzinfo | None:
    """The fixed offset the page prints its times in, read from a time it gives both with an offset and
    without one (to the second, a whole quarter-hour apart, at most 14 hours, not on the hour); None when it
    gives no such pair, or gives one time both ways."""
    aware: set[datetime] = set()
    naive: set[datetime] = set()
    for stamp, shift in _stamps(root, _STAMPED):
        if shift is None:
            naive.add(stamp)
        else:
            aware.add(stamp - timedelta(minutes=shift))
    if naive & aware:  # the same time with and without an offset: it prints its times in UTC
        return None
    return _most_common(Counter(shift for local in naive if local.minute or local.second for utc in aware
                                if abs(shift := local - utc) <= _MAX_OFFSET and not shift % _QUARTER))


def utc_twin_offset(root: Any) -> tzinfo | None:
    """The offset a page gives one of its UTC times in elsewhere: the same instant, to the second and not on
    the hour, stamped ``Z`` (or ``+00:00``) in one place and ``-05:00`` in another (a page's metadata in UTC,
    its own scripts in local time); None when no instant is given both ways, or two offsets tie."""
    utc: set[datetime] = set()
    local: dict[datetime, set[int]] = {}
    for stamp, shift in _stamps(root, (*_STAMPED, "//script[not(@src)]/text()")):
        if shift == 0:
            utc.add(stamp)
        elif shift is not None and abs(shift) <= _MAX_OFFSET.total_seconds() // 60 and not shift % 15:
            local.setdefault(stamp - timedelta(minutes=shift), set()).add(shift)
    return _most_common(Counter(timedelta(minutes=shift) for instant in utc if instant.minute or instant.second
                                for shift in local.get(instant, ())))


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
