"""The publication date of a page nobody wrote rules for.

In order, the first that gives a date wins:

1. structured data the structured layer does not read: ``itemprop="datePublished"`` elements
   (``content`` or ``datetime``) and ``<meta>`` publication tags;
2. ``<time>`` elements of the article: ``pubdate``/``itemprop`` ones first, never one inside page
   chrome (navigation, asides, footers), comments, sidebars, widgets or archive lists;
3. the byline window of the generic extraction: the short lines between the headline and the
   first paragraph (``GenericArticle.date_text``), with relative dates (``3小时前``, ``2 hours ago``)
   anchored to ``now`` and all-numeric dates read in the page's locale (``<html lang>``,
   ``og:locale``); a year-month without a day (an archive widget's "2006年12月 (5)") gives nothing;
4. htmldate (``original_date``: the publication, not the last update), which reads URLs, headers,
   scripts and free text, on a copy of the page without the parts step 2 avoids (and without links:
   a date in a link is another page's); a year alone (htmldate's 1 January) is no date. When the
   page's address holds no day and its declared canonical address does, htmldate reads that one.

Candidates more than a day after ``now`` are skipped in steps 1-3 (a countdown, an event date).
Pure: no network, settings or spider state.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urljoin

from crawler.extract.dates import get_tz, numeric_order, parse_date
from crawler.extract.generic import as_html
from crawler.urls import url_day

logger = logging.getLogger(__name__)

_AVOID = re.compile(
    r"comment|reply|sidebar|side-bar|widget|archive|calendar|related|recommend|footer|nav|menu|popular|"
    r"most-|trending|teaser|promo|breadcrumb|author-bio|rel-|-rel\b|list",
    re.I,
)
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}")
_MONTH_ONLY = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月(?!\s*\d)")
_UPDATED = re.compile(r"update|modif|edited", re.I)
_PUBLISHED = re.compile(r"publish|posted|created|pubdate|datepublished|date-published|post-date|entry-date", re.I)
_CHROME = frozenset("nav aside footer".split())
_META_PUBLISHED = (
    "//meta[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']/@datetime",
    "//*[@itemprop='datePublished']/@content",
    "//*[@itemprop='datePublished']//text()",
    "//meta[@name='date' or @name='Date' or @name='DC.date' or @name='dcterms.created' or @name='citation_date'"
    " or @name='pubdate' or @name='PubDate' or @name='publication_date']/@content",
)
_DAY_PRESENT = re.compile(r"\d{1,2}\s*日|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
                          r"|\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}"
                          r"|[^\W\d_\u3040-\u9fff\uac00-\ud7af]{3,9}\.?\s+\d{1,2}"
                          r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_\u3040-\u9fff\uac00-\ud7af]{3,9}|前|ago|刚刚|今天|昨天|前天|\d{1,2}\s*[:：]\s*\d{2}")


def page_locale(root: Any) -> str | None:
    """The page's declared locale: ``<html lang>``, else ``og:locale``, else ``content-language``."""
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") if isinstance(root.tag, str) \
        else None
    if lang:
        return lang
    for query in ("//meta[@property='og:locale']/@content", "//meta[@http-equiv='content-language']/@content",
                  "//meta[@http-equiv='Content-Language']/@content"):
        found = root.xpath(query)
        if found:
            return str(found[0])
    return None


_SCHEME_WWW = re.compile(r"^https?://(?:www\.)?")


def _address(href: str, base: str) -> str:
    """An absolute address without scheme, ``www.``, fragment and trailing slash, to compare two links."""
    return _SCHEME_WWW.sub("", urljoin(base, href.strip()).split("#")[0]).rstrip("/")


def _same_page(href: str | None, url: str) -> bool:
    """Whether a link points at the page itself (a permalink)."""
    return bool(href and url) and _address(href, url) == _address(url, url)


def _avoided(el: Any, url: str = "") -> bool:
    """Inside page chrome, comments, sidebars, widgets, archive or teaser lists, or a link to another page
    (a link to the page itself, ``rel="bookmark"``, is the permalink a blog wraps its date in)."""
    for node in el.iterancestors():
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag == "a" and ("bookmark" in (node.get("rel") or "").lower().split() or _same_page(node.get("href"), url)):
            continue
        if tag in _CHROME or tag in ("a", "li"):
            return True
        if _AVOID.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _time_values(root: Any, url: str = "") -> list[str]:
    """``<time>`` values of the article, the ones marked as the publication first."""
    marked, plain = [], []
    for el in root.iter("time"):
        own = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('itemprop') or ''}"
        if _avoided(el, url) or _AVOID.search(own):
            continue
        attr, shown = (el.get("datetime") or "").strip(), " ".join("".join(el.itertext()).split())
        # What the reader sees wins over the attribute when it is more precise (a time of day the attribute lacks).
        value = shown if _CLOCK.search(shown) and not _CLOCK.search(attr) and _DAY_PRESENT.search(shown) else attr
        value = value or shown
        if not value:
            continue
        if el.get("pubdate") is not None or _PUBLISHED.search(own):
            marked.append(value)
        elif not _UPDATED.search(own):
            plain.append(value)
    return marked + plain


def _pruned(root: Any) -> Any:
    """A copy of the page without chrome, comments, sidebars, widgets, teaser lists and links (never the date)."""
    copy = deepcopy(root)
    doomed = [el for el in copy.iter() if isinstance(el.tag, str) and el.getparent() is not None and (
        el.tag.lower() in _CHROME or el.tag.lower() in ("a", "li")
        or _AVOID.search(f"{el.get('class') or ''} {el.get('id') or ''}"))]
    for el in doomed:
        if el.getparent() is not None:
            el.getparent().remove(el)
    return copy


def _dated_address(root: Any, url: str) -> str:
    """``url``, or the page's own declared address (``<link rel=canonical>``, ``og:url``) when only that one holds
    the day: a mobile or short address, or a saved page known by its site's root."""
    if url_day(url):
        return url
    for href in root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")[:2]:
        address = urljoin(url, str(href).strip())
        if address.startswith(("http://", "https://")) and url_day(address):
            return address
    return url


def _htmldate(root: Any, url: str, zone: tzinfo, now: datetime) -> datetime | None:
    try:
        from htmldate import find_date

        found = find_date(_pruned(root), url=_dated_address(root, url) or None, original_date=True,
                          outputformat="%Y-%m-%d", max_date=(now + timedelta(days=1)).strftime("%Y-%m-%d"))
    except Exception as exc:  # htmldate's heuristics must not stop an extraction
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
    return parse_date(found, zone, now) if found else None


def publication_date(page: Any, url: str, tz: str | tzinfo, now: datetime, article: Any | None = None,
                     use_htmldate: bool = True) -> datetime | None:
    """The publication date of ``page`` (an lxml root or a parsel Selector; not modified), or None.

    ``tz`` is the site's timezone for dates printed without an offset; ``now`` (aware: the crawl or
    capture time) anchors relative dates; ``article`` is the page's ``GenericArticle`` (its
    ``date_text`` is the byline window's date line).
    """
    root = as_html(getattr(page, "root", page))
    if root is None or not isinstance(getattr(root, "tag", None), str):
        return None
    zone = get_tz(tz) if isinstance(tz, str) else tz
    latest = now + timedelta(days=1)
    order = numeric_order(page_locale(root))

    def usable(value: str | None) -> datetime | None:
        if not value or not _DAY_PRESENT.search(value):
            return None
        dt = parse_date(value, zone, now, order)
        return dt if dt is not None and dt <= latest else None

    for query in _META_PUBLISHED:
        for value in root.xpath(query)[:2]:
            if dt := usable(str(value)):
                return dt
    for value in _time_values(root, url)[:4]:
        if dt := usable(value):
            return dt
    if article is not None and (dt := usable(getattr(article, "date_text", None))):
        return dt
    found = _htmldate(root, url, zone, now) if use_htmldate else None
    month = _month_only(article)
    year_only = found is not None and (found.month, found.day) == (1, 1)  # htmldate's guess from a year alone
    if month is not None and (found is None or (year_only and found.year == month[0])):
        return datetime(month[0], month[1], 1, tzinfo=zone)  # the month the article prints ("1998年3月号")
    return None if year_only else found


def _month_only(article: Any | None) -> tuple[int, int] | None:
    """A year and month printed alone in the byline window or the article's last lines (an issue of a magazine)."""
    if article is None:
        return None
    body = getattr(article, "body", None) or []
    for text in [*(getattr(article, "byline", None) or []), *body[-3:]]:
        if len(text) <= 60 and (m := _MONTH_ONLY.search(text)):
            return int(m.group("y")), int(m.group("m"))
    return None
