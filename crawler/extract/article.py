"""The field table: where each field of an article page comes from, in one place.

``FIELDS`` lists, for each field of ``ArticleItem`` an article page fills, the sources tried in
order; a source is a small function of the page (``PageContext``) that returns a value or None,
and the first value wins. The field records the source that gave it (``Page.layers``, stored as
``item.extraction``). Sources:

- ``site``: the site's selectors (``SiteRules.selectors[<field>]``);
- ``structured``: JSON-LD, ``<meta>``/Open Graph, and the publication time the page's scripts assign;
- ``byline``: the furniture lines of the article (来源, bylines, breadcrumbs: ``crawler.extract.byline``);
- ``generic``: the generic extractor, run only when a field is still missing after the others
  (``source`` and ``authors`` read its byline only when it ran for another field).

A site reorders a field's sources (``SiteRules.order``), adds its own (``SiteRules.sources``, pure
functions of the page like these), ignores structured data for some fields (``ignore_structured``)
or refuses the generic body (``generic_body``). ``extract_page`` is pure: the page's Selector is
never modified (noise is removed from copies of the body containers).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawler.extract import text as textmod
from crawler.extract.byline import Furniture, dateline, names, split_furniture
from crawler.extract.dates import parse_date
from crawler.extract.generic import GenericArticle, extract_generic, repair_markup, title_heading
from crawler.extract.pubdate import page_locale, publication_date
from crawler.extract.select import SelectorSpec, query, select, specs, texts
from crawler.extract.structured import Structured, extract_structured, script_published
from crawler.extract.zones import UNKNOWN, clock_offset, timezone_of_page, utc_twin_offset
from crawler.items import EXTRACTION_LAYERS, Described

Source = Callable[["PageContext"], Any]

# field -> its sources, in the order they are tried. Fields resolve in this order: later fields may
# read earlier ones (authors are checked against the source, bylines come from the body's furniture).
FIELDS: dict[str, tuple[str, ...]] = {
    "body": ("site", "generic"),
    "title": ("site", "structured", "generic"),
    "published_at": ("site", "structured", "byline", "generic"),
    "updated_at": ("site", "structured"),
    "source": ("site", "structured", "byline", "generic"),
    "authors": ("site", "structured", "byline", "generic"),
    "category": ("site", "structured", "byline"),
    "tags": ("site", "structured"),
    "canonical_url": ("structured",),
    "editor": ("byline",),
    "original_title": ("byline",),
}
EXTRA_FIELDS = frozenset({"editor", "original_title"})  # stored in ``item.extra``
SELECTOR_KEYS = frozenset(FIELDS) - EXTRA_FIELDS - {"canonical_url"} | {"next_page"}

_CRUMB_SKIP = {"首页", "首頁", "正文", "当前位置", "您的位置", "你的位置", "home", "返回首页", ">", "»", "/"}
_LABEL = re.compile(r"^\s*(?:来源|來源|稿源|出处|source|作者|作\s*者|记者|撰文|文|编辑|责任编辑|by)\s*[:：|]?\s*", re.I)
_NEXT_WORDS = frozenset(("下一页", "下页", "下一頁", "后一页", "next page", "next", "›", "»", ">"))
_BYLINE_SOURCE = re.compile(r"(?:来源|來源|稿源)\s*[:：]\s*([^\s|｜/]{2,30})")
_BYLINE_AUTHOR = re.compile(r"(?:作者|记者|撰文)\s*[:：]?\s*([^\s|｜/:：]{2,12})")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CLOCK = re.compile(r"\d:\d\d|\d[时時点點]")
_SPACE = re.compile(r"\s+")
# A site body whose text is more than this share links is no article (at most 0.075 on the portals' saved bodies)
MAX_LINKED_SHARE = 0.5
_TITLE_SEP = re.compile(
    r"\s*(?:_|\||｜|–|—{1,2})\s*|\s+-{1,2}\s+|(?<=[\u4e00-\u9fff\uff09\u3011\u300b])-{1,2}|-{1,2}(?=[\u4e00-\u9fff])")
_PORTAL_HINT = re.compile(
    r"网|網|新闻|新聞|频道|頻道|在线|日报|晚报|时报|报|社|中心|头条|\.com|\.cn|news|portal|官方|客户端", re.I)
_ACCOUNT = re.compile(r"^\S{1,8}号(?:[·・]\S{1,8})?$")  # 澎湃号·政务, 网易号, 百家号: the channel of a portal


@dataclass(frozen=True)
class SiteRules:
    """What a site declares about its article pages (spider attributes, see ArticleSpider)."""

    selectors: Mapping[str, SelectorSpec] = field(default_factory=dict)
    noise: tuple[str, ...] = ()
    order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: Mapping[str, Mapping[str, Source]] = field(default_factory=dict)
    ignore_structured: frozenset[str] = frozenset()
    generic_body: bool = True
    portal_names: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    page_timezone: bool = False  # read each page's timezone (crawler/extract/zones.py); ``timezone`` is unused

    def __post_init__(self) -> None:
        unknown = set(self.selectors) - SELECTOR_KEYS
        if unknown:
            raise ValueError(f"selectors for unknown fields {sorted(unknown)}; known: {sorted(SELECTOR_KEYS)}")
        unknown = (set(self.order) | set(self.sources)) - set(FIELDS)
        if unknown:
            raise ValueError(f"field_order/field_sources name unknown fields {sorted(unknown)}")

    def sources_of(self, name: str) -> tuple[str, ...]:
        order = self.order.get(name) or FIELDS[name]
        if name in self.ignore_structured:
            order = tuple(s for s in order if s != "structured")
        if name == "body" and not self.generic_body:
            order = tuple(s for s in order if s != "generic")
        return order

    def declared(self, name: str) -> str | None:
        """The first source the site really has for a field (a ``site`` source needs a selector)."""
        return next((s for s in self.sources_of(name) if s != "site" or self.selectors.get(name)), None)


@dataclass
class Page(Described):
    """One page of an article: the fields of ``ArticleItem`` it gives, and where each came from."""

    url: str
    published_at: datetime | None = None
    updated_at: datetime | None = None
    body: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    next_page: str | None = None
    layers: dict[str, str] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)
    furniture: list[tuple[str, str]] = field(default_factory=list)  # (line, rule) taken out of the body

    def discard(self, name: str) -> None:
        """Forget a field (a hook that finds it wrong): its default value, no layer."""
        if name in EXTRA_FIELDS:
            self.extra.pop(name, None)
        else:
            setattr(self, name, [] if isinstance(getattr(self, name), list) else None)
        self.layers.pop(name, None)

    def fallbacks(self) -> list[str]:
        """Fields that came from a later source than the first one the site declares for them."""
        order = {layer: i for i, layer in enumerate(EXTRACTION_LAYERS)}
        return [f for f, layer in self.layers.items()
                if f in self.declared and order.get(layer, 0) > order.get(self.declared[f], 0)]


@dataclass
class Body:
    lines: list[str]
    images: list[str]
    furniture: Furniture


class PageContext:
    """The page as the sources read it; structured data and the generic extraction are computed once, on demand."""

    def __init__(self, url: str, sel: Selector, rules: SiteRules, now: datetime) -> None:
        self.url, self.sel, self.rules, self.now = url, sel, rules, now
        self.page = Page(url=url)
        self.furniture = Furniture()
        self._generic: GenericArticle | None = None

    @cached_property
    def structured(self) -> Structured:
        return extract_structured(self.sel, self.url)

    @property
    def generic(self) -> GenericArticle:
        if self._generic is None:
            root = self.sel.root
            if self.rules.noise:  # the site's noise goes before the generic extractor reads the page
                root = copy.deepcopy(root)
                _drop_noise(root, self.rules.noise)
            self._generic = extract_generic(root, self.url)
        return self._generic

    @property
    def generic_if_ran(self) -> GenericArticle | None:
        return self._generic

    def site(self, name: str) -> list[str]:
        return texts(select(self.sel, self.rules.selectors.get(name)))

    @cached_property
    def zone(self) -> str | tzinfo:
        """The timezone of dates printed without an offset: the site's, or the page's own (generic spider)."""
        if not self.rules.page_timezone or not isinstance(getattr(self.sel.root, "tag", None), str):
            return self.rules.timezone
        root = self.sel.root
        if offset := clock_offset(root):
            return offset
        zone = timezone_of_page(root, self.url, page_locale(root))
        return (utc_twin_offset(root) or zone) if zone == UNKNOWN else zone

    def date(self, raw: str | None) -> datetime | None:
        return parse_date(raw, self.zone, self.now) if raw else None

    @cached_property
    def headings(self) -> list[str]:
        return [h for h in (textmod.clean_line(t) for t in self.sel.xpath("//h1 | //h2").xpath("string()").getall())
                if len(h) >= 4]


# Sources, one small function per field and origin --------------------------------------------

def _drop_noise(root: Any, noise: Iterable[str]) -> list[str]:
    """Remove the noise elements under ``root`` (a copy); the short texts they held (furniture candidates)."""
    sel = Selector(root=root)
    held: list[str] = []
    for one in noise:
        for node in query(sel, one):
            element = node.root
            if isinstance(element, str) or element is root or element.getparent() is None:
                continue
            if len(element.text_content()) <= 300:
                held.extend(textmod.paragraphs([element]))
            element.drop_tree()
    return held


def body_site(ctx: PageContext) -> Body | None:
    found = [n.root for n in select(ctx.sel, ctx.rules.selectors.get("body")) if not isinstance(n.root, str)]
    if not found:
        return None
    copies = [copy.deepcopy(el) for el in found]
    held = [line for root in copies for line in _drop_noise(root, ctx.rules.noise)]
    walked = [line for line in textmod.walk(copies, measure=_visible_chars) if line.text]
    text = sum(_visible_chars(line.text) for line in walked)
    if text and sum(line.link_chars for line in walked) > MAX_LINKED_SHARE * text:
        return None  # the selector found a list of links (a menu, a related block): the layout changed
    lines, furniture = split_furniture([line.text for line in walked], held)
    return Body(lines, textmod.images(copies, ctx.url), furniture) if lines else None


def _visible_chars(text: str) -> int:
    return len(_SPACE.sub("", text))


def body_generic(ctx: PageContext) -> Body | None:
    generic = ctx.generic
    lines, furniture = split_furniture(generic.body)
    return Body(lines, generic.images, furniture) if lines else None


def title_site(ctx: PageContext) -> str | None:
    return next(iter(ctx.site("title")), None)


def title_structured(ctx: PageContext) -> str | None:
    """The metadata's title without the site's name; when no portal suffix comes off, the heading that is
    one end of it ("Faux Fur Blanket DIY - A Beautiful Mess" over an ``<h3>`` "Faux Fur Blanket DIY")."""
    title = ctx.structured.title
    if not title:
        return None
    whole = _whole_title(ctx, title)
    stripped = strip_title_suffix(whole, ctx.headings, _site_names(ctx))
    return (title_heading(ctx.sel.root, [whole]) or stripped) if stripped == whole.strip() else stripped


def _whole_title(ctx: PageContext, title: str) -> str:
    """The title a heading or ``<title>`` prints whole where the metadata's stops at a quote: an unescaped
    ``"`` in ``<meta content="...">`` ends the attribute there."""
    page_title = textmod.clean_line(ctx.sel.xpath("string(//title)").get() or "")
    for whole in (*ctx.headings, page_title):
        if len(whole) > len(title) and whole.startswith(title) and whole[len(title)] in "\"'":
            return whole
    return title


def title_generic(ctx: PageContext) -> str | None:
    return ctx.generic.title


def published_site(ctx: PageContext) -> datetime | None:
    for one in specs(ctx.rules.selectors.get("published_at")):  # the first selector whose text is a date
        for raw in texts(select(ctx.sel, one)):
            if dt := ctx.date(raw):
                return dt
    return None


def published_structured(ctx: PageContext) -> datetime | None:
    """The structured publication time; a day given without a time of day takes the byline's time on that day."""
    raw = ctx.structured.published_at
    found = ctx.date(raw) or ctx.date(raw := script_published(ctx.sel))
    if found and raw and not _CLOCK.search(raw):
        timed = published_byline(ctx) or ctx.date(_cheap_generic(ctx).date_text)
        if timed and timed.date() == found.date() and (timed.hour, timed.minute) != (0, 0):
            return timed
    return found


def published_byline(ctx: PageContext) -> datetime | None:
    return ctx.date(ctx.furniture.published_at)


def published_generic(ctx: PageContext) -> datetime | None:
    return publication_date(ctx.sel, ctx.url, ctx.zone, ctx.now, _cheap_generic(ctx))


def _cheap_generic(ctx: PageContext) -> GenericArticle:
    # the byline window needs only the cheap path: a site body never makes the voters run for a date
    return ctx.generic_if_ran or extract_generic(ctx.sel.root, ctx.url, vote=False)


def updated_site(ctx: PageContext) -> datetime | None:
    return next((dt for raw in ctx.site("updated_at") if (dt := ctx.date(raw))), None)


def updated_structured(ctx: PageContext) -> datetime | None:
    return ctx.date(ctx.structured.updated_at)


def source_site(ctx: PageContext) -> str | None:
    return next((s for s in map(_strip_label, ctx.site("source")) if s), None)


def source_structured(ctx: PageContext) -> str | None:
    return _strip_label(ctx.structured.source or "") or None


def source_byline(ctx: PageContext) -> str | None:
    return ctx.furniture.source


def source_generic(ctx: PageContext) -> str | None:
    """The source in the byline line the generic layer found near the title (``来源：X``, or a dateline's)."""
    text = ctx.generic_if_ran.date_text if ctx.generic_if_ran else None
    if not text:
        return None
    m = _BYLINE_SOURCE.search(text)
    return m.group(1) if m else (dated[1] if (dated := dateline(text)) else None)


def authors_site(ctx: PageContext) -> list[str]:
    return _people(ctx, [n for raw in ctx.site("authors") for n in names(raw)])


def authors_structured(ctx: PageContext) -> list[str]:
    return _people(ctx, [n for raw in ctx.structured.authors for n in names(raw)])


def authors_byline(ctx: PageContext) -> list[str]:
    return _people(ctx, ctx.furniture.authors)


def authors_generic(ctx: PageContext) -> list[str]:
    generic = ctx.generic_if_ran
    m = _BYLINE_AUTHOR.search(generic.date_text or "") if generic else None
    return _people(ctx, [m.group(1)] if m else [])


def category_site(ctx: PageContext) -> list[str]:
    return [c for c in (t.strip(" >»/|›") for t in ctx.site("category")) if c and c.lower() not in _CRUMB_SKIP]


def category_structured(ctx: PageContext) -> list[str]:
    return [c for c in ctx.structured.category if not _NOT_NAME.match(c)]


def category_byline(ctx: PageContext) -> list[str]:
    return ctx.furniture.category


def tags_site(ctx: PageContext) -> list[str]:
    return list(dict.fromkeys(ctx.site("tags")))


def tags_structured(ctx: PageContext) -> list[str]:
    return ctx.structured.tags


def canonical_structured(ctx: PageContext) -> str | None:
    return ctx.structured.canonical_url


def editor_byline(ctx: PageContext) -> str | None:
    return ctx.furniture.editor


def original_title_byline(ctx: PageContext) -> str | None:
    return ctx.furniture.original_title


SOURCES: dict[str, dict[str, Source]] = {
    "body": {"site": body_site, "generic": body_generic},
    "title": {"site": title_site, "structured": title_structured, "generic": title_generic},
    "published_at": {"site": published_site, "structured": published_structured, "byline": published_byline,
                     "generic": published_generic},
    "updated_at": {"site": updated_site, "structured": updated_structured},
    "source": {"site": source_site, "structured": source_structured, "byline": source_byline,
               "generic": source_generic},
    "authors": {"site": authors_site, "structured": authors_structured, "byline": authors_byline,
                "generic": authors_generic},
    "category": {"site": category_site, "structured": category_structured, "byline": category_byline},
    "tags": {"site": tags_site, "structured": tags_structured},
    "canonical_url": {"structured": canonical_structured},
    "editor": {"byline": editor_byline},
    "original_title": {"byline": original_title_byline},
}


# Shared checks -------------------------------------------------------------------------------

_NOT_NAME = re.compile(r"^[A-Za-z]?_?\d+$")  # numeric ids (L_104485) are not names


def _strip_label(value: str) -> str:
    return _LABEL.sub("", value).strip(" ：:|")


def _site_names(ctx: PageContext) -> list[str]:
    return [n for n in (*ctx.rules.portal_names, ctx.structured.site_name) if n]


def _people(ctx: PageContext, found: list[str]) -> list[str]:
    """Authors that are people: not the source, not the portal (its names, or a name its title suffix carries)."""
    portal = [*_site_names(ctx), *([ctx.page.source] if ctx.page.source else [])]
    suffix = _title_suffix(ctx.structured.title or "")
    return [a for a in found if not _NOT_NAME.match(a) and a not in portal and not (suffix and a in suffix)]


def strip_title_suffix(title: str, headings: Iterable[str] = (), site_names: Iterable[str] = ()) -> str:
    """``文章标题_澎湃号·政务_澎湃新闻-The Paper`` -> ``文章标题``.

    A heading of the page that the title starts with, followed by a separator, is the title.
    Else trailing parts go while they name the portal: a portal word (网, 新闻, 报...), a channel
    of accounts (澎湃号·政务), one of ``site_names``, or a Latin brand after a Chinese title.
    """
    title = title.strip()
    for heading in headings:
        if heading != title and title.startswith(heading) and _TITLE_SEP.match(title, len(heading)):
            return heading
    names_ = {n.strip().casefold() for n in site_names if n}
    while matches := list(_TITLE_SEP.finditer(title)):
        last = matches[-1]
        tail, head = title[last.end():].strip(), title[: last.start()].strip()
        if not head or (tail and not _portal_part(tail, head, names_)):
            break
        title = head
    return title


def _portal_part(part: str, head: str, site_names: set[str]) -> bool:
    if part.casefold() in site_names or _ACCOUNT.match(part):
        return True
    if len(part) <= 16 and _PORTAL_HINT.search(part):
        return True
    return len(part) <= 20 and not _CJK.search(part) and bool(_CJK.search(head)) and not re.search(r"\d", part)


def _title_suffix(title: str) -> str:
    """What ``strip_title_suffix`` takes off a title (the portal's name, usually)."""
    return title[len(strip_title_suffix(title)):] if title else ""


def _language(declared: str | None, body: list[str]) -> str | None:
    """The text's language: Chinese when CJK characters make a fifth of it (templates often declare
    ``lang="en"`` on Chinese articles), else the page's declaration."""
    sample = "".join(body)[:2000]
    if sample and len(_CJK.findall(sample)) / len(sample) > 0.2:
        return "zh"
    if declared:
        return declared.split("-")[0].split("_")[0].lower() or None
    return None


def _next_link(sel: Selector) -> str | None:
    """The first link whose whole text is a next-page word (下一页, next, »: case and spaces ignored)."""
    if isinstance(sel.root, str):
        return None
    for link in sel.root.iter("a"):
        href = link.get("href")
        if href:
            text = "".join(link.itertext())  # an <a> that is a plain lxml element has no text_content()
            if len(text) <= 30 and " ".join(text.split()).lower() in _NEXT_WORDS:
                return href
    return None


def find_next_page(sel: Selector, url: str, spec: SelectorSpec) -> str | None:
    """The next page of a multi-page article: the site's selector, else ``rel=next`` or a 下一页 link."""
    if spec:
        found = select(sel, spec)
        href = next((h for h in found.xpath("(@href | .//@href)[1]").getall() + [
            n.get() for n in found if isinstance(n.root, str)] if h), None)
    else:
        href = sel.xpath('//link[@rel="next"]/@href | //a[@rel="next"]/@href').get() or _next_link(sel)
    if not href or href.strip().startswith(("javascript:", "#")):
        return None
    absolute = urljoin(url, href.strip())
    return None if absolute.split("#")[0] == url.split("#")[0] else absolute


# The page ------------------------------------------------------------------------------------

def resolve(ctx: PageContext, name: str) -> tuple[Any, str] | None:
    """The first value a field's sources give, with the source's name."""
    for source in ctx.rules.sources_of(name):
        fn = ctx.rules.sources.get(name, {}).get(source) or SOURCES[name].get(source)
        if fn is None or (source == "site" and not ctx.rules.selectors.get(name) and name in SELECTOR_KEYS):
            continue
        value = fn(ctx)
        if value:
            return value, source
    return None


def extract_page(url: str, page: str | Selector, rules: SiteRules, now: datetime) -> Page:
    """One page of an article; ``page`` is its HTML or an already-parsed Selector (left unchanged)."""
    sel = page if isinstance(page, Selector) else Selector(text=page)
    if (repaired := repair_markup(sel.root)) is not sel.root:
        sel = Selector(root=repaired)
    ctx = PageContext(url, sel, rules, now)
    out = ctx.page
    for name in FIELDS:
        if (declared := rules.declared(name)) is not None:
            out.declared[name] = declared
        found = resolve(ctx, name)
        if found is None:
            continue
        value, layer = found
        out.layers[name] = layer
        if name == "body":
            out.body, out.images, ctx.furniture = value.lines, value.images, value.furniture
            out.furniture = value.furniture.removed
        elif name in EXTRA_FIELDS:
            out.extra[name] = value
        else:
            setattr(out, name, value)
    out.language = _language(ctx.structured.language, out.body)
    out.next_page = find_next_page(sel, url, rules.selectors.get("next_page"))
    if rules.page_timezone and out.published_at and not out.published_at.utcoffset() and ctx.zone == UNKNOWN:
        out.extra["timezone"] = "unknown"  # a time printed without an offset, on a page of no known zone: read as UTC
    return out
