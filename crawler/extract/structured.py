"""Structured metadata of a page: JSON-LD, ``<meta>``, Open Graph, ``<link rel=canonical>``, and the
publication time a page's own scripts assign (``var ct = "1581517074"``, ``publish_time: '2019-09-08 11:42'``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawler.items import Described

ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenews", "analysisnewsarticle", "webpage"}

_META_DATE = (
    "article:published_time", "og:article:published_time", "og:release_date", "datepublished", "pubdate",
    "publishdate", "publish_date", "publish-date", "publishtime", "publish_time", "dc.date.issued", "dc.date",
    "sailthru.date", "parsely-pub-date", "weibo:article:create_at", "bytedance:published_time", "releasedate",
    "dcterms.issued", "citation_publication_date", "citation_date", "publication_date", "date_published", "date",
)
_META_UPDATED = ("article:modified_time", "og:updated_time", "datemodified", "lastmod", "last-modified")
_META_AUTHOR = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
_META_SOURCE = ("source", "article:source", "og:article:source", "mediaid", "contentsource")
_META_SECTION = ("article:section", "og:article:section", "section", "category", "catalogs")
_META_TITLE = ("og:title", "twitter:title", "title", "headline", "dc.title")
_META_SITE = ("og:site_name", "application-name")
# Variables that hold the publication time in the scripts of portals that print it with JavaScript
# (WeChat's ct and publish_time, Toutiao's publish_time, QQ's pubtime, ifeng's newsTime), in order of preference.
_SCRIPT_DATE_NAMES = ("ct", "create_time", "createTime", "publish_time", "publishTime", "pubtime", "pubTime",
                      "publish_date", "publishDate", "pubDate", "ptime", "newsTime")
_SCRIPT_DATE = re.compile(
    r"(?<![\w$])[\"']?(?P<name>" + "|".join(_SCRIPT_DATE_NAMES) + r")[\"']?\s*[:=]\s*(?:JsDecode\(\s*)?"
    r"(?:[\"'](?P<value>[^\"'\n]{6,40})[\"']|(?P<epoch>1\d{9}(?:\d{3})?)\b)")
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}|^\s*1\d{9}(?:\d{3})?\s*$")
_CJK_WORDS = re.compile(r"^[\u4e00-\u9fff\w·]+(?:\s+[\u4e00-\u9fff\w·]+)+$")


@dataclass(kw_only=True)
class Structured(Described):
    """What the page states in machine-readable form; dates as written (parsed by the field table)."""

    published_at: str | None = None
    updated_at: str | None = None
    description: str | None = None
    body: str | None = None
    image: str | None = None
    site_name: str | None = None


def jsonld_blocks(texts: Iterable[str]) -> Iterator[Any]:
    """The parsed JSON-LD blocks among ``texts`` (the contents of ``ld+json`` scripts); broken ones skipped."""
    for raw in texts:
        try:
            yield json.loads(raw.strip().rstrip(";"), strict=False)
        except ValueError:
            continue


def _jsonld_objects(sel: Selector) -> Iterator[dict[str, Any]]:
    for data in jsonld_blocks(sel.xpath('//script[@type="application/ld+json"]/text()').getall()):
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                if "@graph" in node:
                    stack.append(node["@graph"])
                yield node


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    return {str(t).lower() for t in (kind if isinstance(kind, list) else [kind])}


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    text = str(value).strip()
    return [text] if text else []


def _first_text(value: Any) -> str | None:
    names = _names(value)
    return names[0] if names else None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        words = [str(v).strip() for v in value]
    elif isinstance(value, str):
        words = [k.strip() for k in re.split(r"[,，;；、|]", value)]
        if len(words) == 1 and _CJK_WORDS.match(words[0]) and re.search(r"[\u4e00-\u9fff]", words[0]):
            words = words[0].split()  # "疫情防控 核酸检测 开学时间": Chinese keywords separated by spaces
    else:
        return []
    return list(dict.fromkeys(w for w in words if w))


def _meta(sel: Selector, names: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in sel.xpath("//meta[@content]"):
        el = node.root  # one attribute at a time: a malformed attribute name elsewhere on the tag raises in .attrib
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key in names and key not in found and (el.get("content") or "").strip():
            found[key] = el.get("content").strip()
    return found


def _pick(found: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((found[n] for n in names if n in found), None)


def extract_structured(sel: Selector, url: str) -> Structured:
    """Everything a page states about itself in machine-readable form."""
    out = Structured()
    for node in _jsonld_objects(sel):
        if not _types(node) & ARTICLE_TYPES:
            continue
        out.title = out.title or _first_text(node.get("headline") or node.get("name"))
        out.published_at = out.published_at or _first_text(node.get("datePublished") or node.get("dateCreated"))
        out.updated_at = out.updated_at or _first_text(node.get("dateModified"))
        out.authors = out.authors or _names(node.get("author"))
        out.source = out.source or _first_text(node.get("sourceOrganization") or node.get("isBasedOn"))
        out.category = out.category or _keywords(node.get("articleSection"))
        out.tags = out.tags or _keywords(node.get("keywords"))
        out.language = out.language or _first_text(node.get("inLanguage"))
        out.description = out.description or _first_text(node.get("description"))
        out.body = out.body or _first_text(node.get("articleBody"))
        entity = node.get("mainEntityOfPage")
        out.canonical_url = out.canonical_url or _first_text(node.get("url") or (
            entity.get("@id") if isinstance(entity, dict) else entity))

    meta = _meta(sel, _META_DATE + _META_UPDATED + _META_AUTHOR + _META_SOURCE + _META_SECTION + _META_TITLE
                 + _META_SITE + ("keywords", "news_keywords", "article:tag", "description", "og:description",
                                 "og:url", "og:image", "content-language", "language"))
    out.title = out.title or _pick(meta, _META_TITLE)
    out.published_at = out.published_at or _pick(meta, _META_DATE)
    out.updated_at = out.updated_at or _pick(meta, _META_UPDATED)
    if not out.authors and (author := _pick(meta, _META_AUTHOR)):
        out.authors = [a for a in _keywords(author) if not a.startswith("http")]
    out.source = out.source or _pick(meta, _META_SOURCE)
    out.category = out.category or _keywords(_pick(meta, _META_SECTION))
    out.tags = out.tags or _keywords(_pick(meta, ("news_keywords", "keywords", "article:tag")))
    out.description = out.description or _pick(meta, ("description", "og:description"))
    out.image = _pick(meta, ("og:image",))
    out.site_name = _pick(meta, _META_SITE)
    canonical = sel.xpath('//link[@rel="canonical"]/@href').get() or _pick(meta, ("og:url",)) or out.canonical_url
    out.canonical_url = urljoin(url, canonical.strip()) if canonical and canonical.strip() else None
    out.language = (out.language or sel.xpath("/html/@lang").get() or _pick(meta, ("content-language", "language"))
                    or None)
    return out


def script_published(sel: Selector) -> str | None:
    """The publication time a page's inline scripts assign, by the first variable name of
    ``_SCRIPT_DATE_NAMES`` that holds one; a value with a time of day wins over a bare day."""
    found: dict[str, str] = {}
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        for m in _SCRIPT_DATE.finditer(script):
            value = (m.group("value") or m.group("epoch")).strip()
            if re.search(r"\d{4}|^1\d{9}", value):
                found.setdefault(m.group("name"), value)
    ordered = [found[name] for name in _SCRIPT_DATE_NAMES if name in found]
    return next((v for v in ordered if _TIME_OF_DAY.search(v)), ordered[0] if ordered else None)
