"""Layered extraction of one article page: site selectors, then structured data, then generic.

``extract_page`` is pure: it needs the page, its URL, the site's ``SiteRules`` and the time
that anchors relative dates. Each field records the layer that produced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from crawler.extract import text as textmod
from crawler.extract.dates import parse_date, to_iso
from crawler.extract.generic import extract_generic
from crawler.extract.pubdate import publication_date
from crawler.extract.structured import extract_structured

SelectorSpec = str | list[str] | tuple[str, ...] | None

_LABEL = re.compile(r"^\s*(?:来源|來源|稿源|出处|source|作者|作\s*者|记者|撰文|文|编辑|责任编辑|by)\s*[:：|]?\s*", re.I)
_CRUMB_SKIP = {"首页", "首頁", "正文", "当前位置", "您的位置", "你的位置", "home", "返回首页", ">", "»", "/"}
_NEXT_WORDS = ("下一页", "下页", "下一頁", "后一页", "next page", "next", "›", "»", ">")
# One XPath over the document: a link whose whole text is one of the words (case-insensitive).
_NEXT_LINK = "//a[@href][{}]/@href".format(" or ".join(
    f"translate(normalize-space(), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')='{w}'"
    for w in _NEXT_WORDS))
_BYLINE_SOURCE = re.compile(r"(?:来源|來源|稿源)\s*[:：]\s*([^\s|｜/]{2,30})")
_BYLINE_AUTHOR = re.compile(r"(?:作者|记者|撰文)\s*[:：]?\s*([^\s|｜/:：]{2,12})")
_TITLE_SEP = re.compile(r"\s*(?:_|\||｜|-{1,2}|–|—{1,2})\s*")
_PORTAL_HINT = re.compile(
    r"网|網|新闻|新聞|频道|頻道|在线|日报|晚报|时报|报|社|中心|头条|\.com|\.cn|news|portal|官方", re.I)


@dataclass(frozen=True)
class SiteRules:
    """What a site declares about its article pages (spider attributes, see ArticleSpider)."""

    title: SelectorSpec = None
    date: SelectorSpec = None
    body: SelectorSpec = None
    author: SelectorSpec = None
    source: SelectorSpec = None
    category: SelectorSpec = None
    tags: SelectorSpec = None
    next_page: SelectorSpec = None
    noise: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"


@dataclass
class PageExtraction:
    url: str
    title: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    body: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    next_page: str | None = None
    layers: dict[str, str] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)

    def fallbacks(self) -> list[str]:
        """Fields that came from a later layer than the first one the site declares for them."""
        order = ("site", "structured", "generic")
        return [f for f, layer in self.layers.items()
                if f in self.declared and order.index(layer) > order.index(self.declared[f])]


_XPATH_START = re.compile(r"^(?:[/(]|\.\.?/|\.$|[a-z][\w-]*\s*\()")


def _specs(spec: SelectorSpec) -> list[str]:
    return [] if not spec else [spec] if isinstance(spec, str) else list(spec)


def select(sel: Selector, spec: SelectorSpec) -> SelectorList:
    """The first non-empty match of a CSS or XPath selector (or of a list of them).

    A query is XPath when it starts with ``/``, ``(``, ``./`` or a function call (``substring-after(``);
    a match that is only empty or blank text does not count.
    """
    for one in _specs(spec):
        query = one.strip()
        found = sel.xpath(query) if _XPATH_START.match(query) else sel.css(query)
        found = SelectorList(n for n in found if not isinstance(n.root, str) or n.root.strip())
        if found:
            return found
    return SelectorList()


def _within(scope: Selector, query: str) -> SelectorList:
    """``query`` inside ``scope`` (the container included): a body's noise is looked for in the body only."""
    query = query.strip()
    if not _XPATH_START.match(query):
        return scope.css(query)
    if query.startswith("//") and "|" not in query:
        return scope.xpath("./descendant-or-self::" + query[2:])
    return scope.xpath(query)


def _texts(found: SelectorList) -> list[str]:
    out = []
    for node in found:
        if isinstance(node.root, str):
            line = textmod.clean_line(node.root)
        else:
            texts = node.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall()
            line = textmod.clean_line(" ".join(texts))
        if line:
            out.append(line)
    return out


def _strip_label(value: str) -> str:
    return _LABEL.sub("", value).strip(" ：:|")


def strip_title_suffix(title: str) -> str:
    """``文章标题_网易新闻`` -> ``文章标题``: drops trailing parts that name the portal."""
    title = title.strip()
    while matches := list(_TITLE_SEP.finditer(title)):
        last = matches[-1]
        tail, head = title[last.end():].strip(), title[: last.start()].strip()
        if not head or (tail and not (len(tail) <= 16 and _PORTAL_HINT.search(tail))):
            break
        title = head
    return title


def _language(declared: str | None, body: list[str]) -> str | None:
    """The text's language: Chinese when CJK characters make a fifth of it (templates often declare
    ``lang="en"`` on Chinese articles), else the page's declaration."""
    sample = "".join(body)[:2000]
    if sample and sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff") / len(sample) > 0.2:
        return "zh"
    if declared:
        return declared.split("-")[0].split("_")[0].lower() or None
    return None


def _date(value: str | None, rules: SiteRules, now: datetime) -> str | None:
    return to_iso(parse_date(value, rules.timezone, now)) if value else None


def find_next_page(sel: Selector, url: str, spec: SelectorSpec) -> str | None:
    """The next page of a multi-page article: the site's selector, else ``rel=next`` or a 下一页 link."""
    if spec:
        href = next((h for h in select(sel, spec).xpath("(@href | .//@href)[1]").getall() + [
            n.get() for n in select(sel, spec) if isinstance(n.root, str)] if h), None)
    else:
        href = sel.xpath('//link[@rel="next"]/@href | //a[@rel="next"]/@href').get() or sel.xpath(_NEXT_LINK).get()
    if not href or href.strip().startswith(("javascript:", "#")):
        return None
    absolute = urljoin(url, href.strip())
    return None if absolute.split("#")[0] == url.split("#")[0] else absolute


def extract_page(url: str, page: str | Selector, rules: SiteRules, now: datetime) -> PageExtraction:
    """One page of an article; ``page`` is its HTML or an already-parsed Selector (noise is dropped from it)."""
    sel = page if isinstance(page, Selector) else Selector(text=page)
    out = PageExtraction(url=url)
    meta = extract_structured(sel, url)
    declared = {name: ("site" if getattr(rules, name) else "structured")
                for name in ("title", "date", "author", "source", "category", "tags")}
    declared["body"] = "site" if rules.body else "generic"
    out.declared = {("published_at" if k == "date" else "authors" if k == "author" else k): v
                    for k, v in declared.items()}

    def take(name: str, layer: str, value: object) -> bool:
        if value:
            setattr(out, name, value)
            out.layers[name] = layer
            return True
        return False

    # Site layer for the metadata fields.
    if titles := _texts(select(sel, rules.title)):
        take("title", "site", titles[0])
    for one in _specs(rules.date):  # the first selector whose text parses as a date
        if any(take("published_at", "site", _date(raw, rules, now)) for raw in _texts(select(sel, one))):
            break
    take("authors", "site", [a for a in (_strip_label(t) for t in _texts(select(sel, rules.author))) if a])
    take("source", "site", next((s for s in (_strip_label(t) for t in _texts(select(sel, rules.source))) if s), None))
    crumbs = [c for c in (t.strip(" >»/|›") for t in _texts(select(sel, rules.category)))
              if c and c.lower() not in _CRUMB_SKIP]
    take("category", "site", crumbs)
    take("tags", "site", _texts(select(sel, rules.tags)))
    out.next_page = find_next_page(sel, url, rules.next_page)

    # Structured layer.
    if "title" not in out.layers and meta.title:
        take("title", "structured", strip_title_suffix(meta.title))
    if "published_at" not in out.layers:
        take("published_at", "structured", _date(meta.published, rules, now))
    take("updated_at", "structured", _date(meta.updated, rules, now))
    for name, value in (("authors", meta.authors), ("source", meta.source), ("category", meta.section),
                        ("tags", meta.tags)):
        if name not in out.layers:
            take(name, "structured", value)
    out.canonical_url = meta.canonical_url

    # Body: the site's container with its noise removed, else the generic extractor (noise removed from the page).
    found = [n for n in select(sel, rules.body) if not isinstance(n.root, str)]
    for query in rules.noise:
        for scope in found or [sel]:
            _within(scope, query).drop()
    containers = [n.root for n in found]
    if containers:
        take("body", "site", textmod.paragraphs(containers))
        out.images = textmod.images(containers, url)
    generic = None
    if "body" not in out.layers or "title" not in out.layers or "published_at" not in out.layers:
        generic = extract_generic(sel, url)
        if "body" not in out.layers and take("body", "generic", generic.body):
            out.images = generic.images
        if "title" not in out.layers and generic.title:
            take("title", "generic", generic.title)
        if "published_at" not in out.layers:
            take("published_at", "generic", to_iso(publication_date(sel, url, rules.timezone, now, generic)))
        byline = generic.date_text or ""
        if "source" not in out.layers and (m := _BYLINE_SOURCE.search(byline)):
            take("source", "generic", m.group(1))
        if "authors" not in out.layers and (m := _BYLINE_AUTHOR.search(byline)):
            take("authors", "generic", [m.group(1)])
    out.language = _language(meta.language, out.body)
    return out
