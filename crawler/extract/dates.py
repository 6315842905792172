"""Publication dates as printed on Chinese and international news pages.

``parse_date`` finds the first date in a string and returns a timezone-aware datetime:
the page's own offset when it gives one (``+08:00``, or a zone named after the time that
names one zone only: ``9:35 PM EDT``, ``14:05 CET``), else the site's timezone. Common absolute
forms take a regex fast path (~µs): year-first numeric dates, numeric dates with the day
and month in the order of the page's locale (``order``, see :func:`numeric_order`), English
month names; relative forms (``3小时前``, ``昨天 12:30``, ``3 hours ago``) are anchored to
``now`` (the crawl or capture time); anything else goes to dateparser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"

# A zone printed after the time ("9:35 PM EDT", "14:05 CET"): the abbreviations that name one zone only
# (CST, IST, BST, AST and GST name several and are not read).
_ZONE_WORDS = {
    "UTC": "UTC", "GMT": "UTC", "ET": "America/New_York", "EST": "-05:00", "EDT": "-04:00", "CT": "America/Chicago",
    "CDT": "-05:00", "MT": "America/Denver", "MST": "-07:00", "MDT": "-06:00", "PT": "America/Los_Angeles",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00", "WET": "+00:00",
    "WEST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "HKT": "+08:00", "SGT": "+08:00", "JST": "+09:00", "KST": "+09:00", "AEST": "+10:00", "AEDT": "+11:00",
    "ACST": "+09:30", "ACDT": "+10:30", "AWST": "+08:00", "NZST": "+12:00", "NZDT": "+13:00",
}
_ZONE_WORD = r"(?:\s*\(?(?P<zone>[A-Za-z]{2,4})\)?(?![^\W\d_]))?"
_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.年]\s*)(?P<m>\d{1,2})\s*(?:[-/.月]\s*)(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:(?:\s*T\s*|[\s,，]*)(?:(?P<ampm>上午|下午|晚上|凌晨|中午)\s*)?"
    r"(?P<H>\d{1,2})\s*[:：时點点]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?)?\s*(?:分|秒)?"
    r"\s*(?P<tz>Z|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?)?" + _ZONE_WORD + ")?"
)
_COMPACT = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:(?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)?)?(?!\d)")
_NO_YEAR = re.compile(
    r"(?<![\d\-/.])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?\s*(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?"
)
_TIME = (r"(?:[\sT,，]+(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
         + _ZONE_WORD + ")?")
# 25/01/2018, 01/25/2018, 25.01.18: which number is the day is the locale's (``order``).
_NUMERIC = re.compile(
    r"(?<![\d/.\-])(?P<a>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<b>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)?\d{2})(?![\d/.\-])"
    + _TIME)
# Month names and their usual abbreviations, English first, then German, French, Spanish, Italian, Portuguese
# and Dutch: "29. Juni 2017", "5 août 2019", "3 de mayo de 2022", "12 giugno 2021".
_MONTH_NAMES = (
    "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|september sep sept|"
    "october oct|november nov|december dec",
    "januar jänner jän|februar|märz mär|april|mai|juni|juli|august|september|oktober okt|november|dezember dez",
    "janvier janv|février févr fév|mars|avril avr|mai|juin|juillet juil|août|septembre|octobre|novembre|"
    "décembre déc",
    "enero ene|febrero|marzo|abril abr|mayo|junio|julio|agosto ago|septiembre setiembre|octubre|noviembre|"
    "diciembre dic",
    "gennaio gen|febbraio|marzo|aprile|maggio mag|giugno giu|luglio lug|agosto|settembre set|ottobre ott|"
    "novembre|dicembre",
    "janeiro|fevereiro fev|março|abril|maio|junho|julho|agosto|setembro|outubro out|novembro|dezembro",
    "januari|februari|maart mrt|april|mei|juni|juli|augustus|september|oktober|november|december",
)
_MONTHS = {name: month for names in _MONTH_NAMES for month, words in enumerate(names.split("|"), 1)
           for name in words.split()}
_MONTH = "(?P<mon>" + "|".join(re.escape(n) for n in sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_MONTH_FIRST = re.compile(
    rf"(?<![^\W\d_]){_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)"
    + _TIME.replace("[\\sT,，]+", "[\\sT,，]+(?:at\\s+)?"), re.I)
_DAY_FIRST = re.compile(
    rf"(?<![\d])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s+(?:of\s+|de\s+)?{_MONTH},?\s+(?:de\s+)?"
    rf"(?P<y>(?:19|20)\d{{2}})(?!\d)" + _TIME, re.I)
_AGO = re.compile(r"(?P<n>\d+|an?|one)\s+(?P<unit>second|minute|min|hour|hr|day|week|month)s?\s+ago\b", re.I)
_AGO_SECONDS = {"second": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 7 * 86400,
                "month": 30 * 86400}
_DAY_FIRST_LANGS = frozenset(
    "af ar az be bg bs ca cs cy da de el es et eu fa fi fo fr ga gl he hi hr hu hy id is it ka kk lt lv mk ms mt nb "
    "nl nn no pl pt ro ru sk sl sq sr sv sw ta th tr uk ur uz vi".split()
)
_MONTH_FIRST_REGIONS = frozenset("us ph ca fm pw mh".split())
_YEAR_FIRST_LANGS = frozenset("zh ja ko hu lt mn".split())
# A year and month with no day ("2006年12月 (5)", an archive widget's entry): no day is to be guessed.
_YEAR_MONTH = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?!\s*\d)")
_RELATIVE = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|分鐘|小时|小時|天|日|周|週|个月|個月)\s*(?:之)?前")
_DAY_WORD = re.compile(r"(?P<word>刚刚|剛剛|今天|今日|昨天|昨日|前天)(?:\s*(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2}))?")
_EPOCH = re.compile(r"^\s*(?P<n>1\d{9}(?:\d{3})?)\s*$")

_UNIT_SECONDS = {
    "秒": 1, "分钟": 60, "分鐘": 60, "小时": 3600, "小時": 3600,
    "天": 86400, "日": 86400, "周": 7 * 86400, "週": 7 * 86400, "个月": 30 * 86400, "個月": 30 * 86400,
}
_DAY_OFFSET = {"刚刚": 0, "剛剛": 0, "今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


@lru_cache(maxsize=64)
def get_tz(name: str) -> tzinfo:
    return ZoneInfo(name)


def _tzinfo(tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        return get_tz(DEFAULT_TZ)
    return get_tz(tz) if isinstance(tz, str) else tz


def _offset(text: str) -> tzinfo | None:
    text = text.replace("UTC", "").replace("GMT", "").strip()
    if text == "Z":
        return UTC
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int, zone: tzinfo) -> datetime | None:
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=zone)
    except ValueError:
        return None


def _hour(h: int, ampm: str | None) -> int:
    if ampm in ("下午", "晚上") and h < 12:
        return h + 12
    if ampm == "凌晨" and h == 12:
        return 0
    return h


def numeric_order(locale: str | None) -> str:
    """The order of day and month in an all-numeric date of a locale (``en-US``, ``de``, ``zh_CN``):
    ``"MDY"``, ``"DMY"`` or ``"YMD"``; ``"MDY"`` when the locale is unknown or says nothing."""
    if not locale:
        return "MDY"
    parts = re.split(r"[-_]", locale.strip().lower())
    lang, region = parts[0], (parts[1] if len(parts) > 1 else "")
    if lang in _YEAR_FIRST_LANGS:
        return "YMD"
    if lang == "en":
        return "MDY" if not region or region in _MONTH_FIRST_REGIONS else "DMY"
    if lang in _DAY_FIRST_LANGS or (lang == "fr" and region == "ca"):
        return "DMY"
    return "MDY"


def _hour12(h: int, ampm: str | None) -> int:
    if not ampm:
        return h
    pm = ampm[0] in "Pp"
    if pm and h < 12:
        return h + 12
    if not pm and h == 12:
        return 0
    return h


def _with_time(m: re.Match[str], y: int, mo: int, d: int, zone: tzinfo) -> datetime | None:
    h = _hour12(int(m.group("H") or 0), m.group("ampm")) if m.group("H") else 0
    return _in_site_zone(_build(y, mo, d, h, int(m.group("M") or 0), int(m.group("S") or 0),
                                _zone_word(m.group("zone")) or zone), zone)


def _in_site_zone(dt: datetime | None, zone: tzinfo) -> datetime | None:
    """A time given in UTC (``+00:00``, ``Z``, ``GMT``) is shown in the site's zone: the same instant."""
    return dt.astimezone(zone) if dt is not None and dt.utcoffset() == timedelta(0) else dt


def _zone_word(word: str | None) -> tzinfo | None:
    """The zone an upper-case abbreviation printed after a time names, or None."""
    if not word or not word.isupper() or (name := _ZONE_WORDS.get(word)) is None:
        return None
    return _offset(name) if name[0] in "+-" else get_tz(name)


def _numeric(m: re.Match[str], order: str, zone: tzinfo) -> datetime | None:
    a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    if y < 100:
        y += 2000 if y < 70 else 1900
    day_first = order == "DMY" or m.group("sep") == "."  # 12.04.2004 is the 12th of April wherever it is written
    if a > 12 >= b:
        day_first = True
    elif b > 12 >= a:
        day_first = False
    d, mo = (a, b) if day_first else (b, a)
    return _with_time(m, y, mo, d, zone)


def has_written_date(text: str) -> bool:
    """Whether ``text`` holds a date written with a month's name, in any language ``parse_date`` reads."""
    return _DAY_FIRST.search(text) is not None or _MONTH_FIRST.search(text) is not None


def parse_date(text: str | None, tz: str | tzinfo | None = DEFAULT_TZ, now: datetime | None = None,
               order: str | None = None) -> datetime | None:
    """The first date in ``text`` as an aware datetime, or None.

    ``tz`` is the site's timezone, used when the text gives no offset; ``now`` anchors
    relative forms and year-less dates (default: the current time); ``order`` reads an
    all-numeric date (``05/03/2024``): ``"DMY"``, ``"MDY"`` (the default) or ``"YMD"``
    (see :func:`numeric_order`). A number above 12 settles the order whatever it says.
    """
    if not text:
        return None
    text = text.strip()
    zone = _tzinfo(tz)
    if now is None:
        now = datetime.now(zone)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    local_now = now.astimezone(zone)

    if m := _EPOCH.match(text):
        n = int(m.group("n"))
        return datetime.fromtimestamp(n / 1000 if n > 10**11 else n, zone)
    if m := _FULL.search(text):
        own = _offset(m.group("tz")) if m.group("tz") else _zone_word(m.group("zone"))
        h = _hour(int(m.group("H") or 0), m.group("ampm"))
        dt = _in_site_zone(_build(int(m.group("y")), int(m.group("m")), int(m.group("d")), h,
                                  int(m.group("M") or 0), int(m.group("S") or 0), own or zone), zone)
        if dt is not None:
            return dt
    if m := _MONTH_FIRST.search(text):
        dt = _with_time(m, int(m.group("y")), _MONTHS[m.group("mon").lower()], int(m.group("d")), zone)
        if dt is not None:
            return dt
    if m := _DAY_FIRST.search(text):
        dt = _with_time(m, int(m.group("y")), _MONTHS[m.group("mon").lower()], int(m.group("d")), zone)
        if dt is not None:
            return dt
    if m := _NUMERIC.search(text):
        dt = _numeric(m, order or "MDY", zone)
        if dt is not None:
            return dt
    if m := _DAY_WORD.search(text):
        if m.group("word") in ("刚刚", "剛剛"):
            return local_now.replace(microsecond=0)
        day = local_now - timedelta(days=_DAY_OFFSET[m.group("word")])
        if m.group("H") is None:
            return day.replace(hour=0, minute=0, second=0, microsecond=0)
        return _build(day.year, day.month, day.day, int(m.group("H")), int(m.group("M")), 0, zone)
    if m := _RELATIVE.search(text):
        delta = timedelta(seconds=int(m.group("n")) * _UNIT_SECONDS[m.group("unit")])
        return (local_now - delta).replace(microsecond=0)
    if m := _AGO.search(text):
        n = m.group("n").lower()
        count = 1 if n in ("a", "an", "one") else int(n)
        return (local_now - timedelta(seconds=count * _AGO_SECONDS[m.group("unit").lower()])).replace(microsecond=0)
    if m := _NO_YEAR.search(text):
        args = (int(m.group("m")), int(m.group("d")), int(m.group("H")), int(m.group("M")), int(m.group("S") or 0))
        dt = _build(local_now.year, *args, zone)
        if dt is not None and dt > local_now + timedelta(days=1):
            dt = _build(local_now.year - 1, *args, zone)
        if dt is not None:
            return dt
    if m := _COMPACT.search(text):
        dt = _build(int(m.group("y")), int(m.group("m")), int(m.group("d")), int(m.group("H") or 0),
                    int(m.group("M") or 0), int(m.group("S") or 0), zone)
        if dt is not None:
            return dt
    return _slow_path(text, zone, local_now)


def _slow_path(text: str, zone: tzinfo, now: datetime) -> datetime | None:
    if len(text) > 80 or not re.search(r"\d", text) or _YEAR_MONTH.search(text):
        return None
    import dateparser  # imported lazily: it costs ~0.3 s at start-up

    settings = {
        "DATE_ORDER": "YMD" if re.match(r"\s*\d{4}", text) else "MDY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": str(zone),
        "TO_TIMEZONE": str(zone),
    }
    try:
        dt = dateparser.parse(text, languages=["zh", "en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if dt is None or not 1980 <= dt.year <= now.year + 1:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone)


def to_iso(dt: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset, seconds precision; None stays None."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt!r}: every output date carries its offset")
    return dt.replace(microsecond=0).isoformat()
