"""Site-independent article extraction: title, body paragraphs, body images and date text.

The page is read once (``text.walk``: scripts, navigation, asides, footers and hidden elements
skipped) into visual lines. The cheap path scores them in the manner of readability: each line
by its length in text tokens (every CJK, kana or Hangul character one token, a word of any other
script one token) and its punctuation, the score flowing to the nearest container element and,
decaying, to its ancestors; a container's score is scaled by ``1 - link density`` and its
class/id hints. The best container, grown while its parents add only well-written text, plus
strong siblings, is the body region; inside it, link lists, credits, copyright and sharing stubs
(``crawler/rules/generic_noise.txt``), figure captions (``<figcaption>``, unless captions are
most of the body) and the slides of a gallery or slideshow set in the article are dropped, and the
body stops at a "related articles" or comments heading (``crawler/rules/generic_tail.txt``,
``generic_comments.txt``).

When the cheap path is unsure of its region (``voting.needs_votes``), trafilatura and
readability-lxml extract the same page and a small learned model decides line by line from the
three extractors' votes and the line's own features (``crawler/extract/voting.py``).

Pure: no network, settings or spider state. ``bench/generic_choice.py`` measures this module
against trafilatura and readability-lxml on the corpus.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlparse

import lxml.html
from lxml import etree

from crawler.extract import text as textmod
from crawler.extract.dates import has_written_date
from crawler.extract.pagekind import listing_reason
from crawler.extract.phrases import line_start, whole_line

# Elements that may hold an article body; text in other blocks (p, li, h2 ...) scores its nearest container.
CONTAINER_TAGS = frozenset("article body center dd div form main section td table tbody blockquote".split())
# Page chrome: its lines never score nor join the body, unless it holds most of the page (a tag left open).
CHROME_TAGS = frozenset("nav aside footer".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_WINDOW = 15  # lines after the headline that may hold the byline
_LEAD_MAX = 2
_ABOVE_BODY = 8  # lines above the first paragraph that may hold it
_CAPTION_DEPTH = 4  # a caption line is owned by a <figcaption> or by a block this close inside one
_CAPTION_MAX = 80  # tokens: a longer line in a <figcaption> is body text set in a figure

# Scripts written without spaces count one token a character; any other run of letters or digits is a word.
WIDE = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff" \
       "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"[{WIDE}]|[^\W_{WIDE}]+")
_PUNCT = re.compile(r"[，。！？；：、,!?;:“”„«»「」『』（）¿¡،؛؟।॥።]|\.(?=\s|$)")
_POSITIVE = re.compile(r"article|body|content|entry|main|post|text|story|detail|news|zw|cont|blog", re.I)
_NEGATIVE = re.compile(
    r"comment|foot|footer|sidebar|side|nav|menu|related|relate|recommend|share|sponsor|ad-|advert|banner|"
    r"breadcrumb|crumb|copyright|login|header|tag|hot|rank|list|link|popup|pager|pagination|social|widget|promo",
    re.I,
)
_GALLERY = re.compile(r"gallery|slideshow|slide-show|carousel", re.I)
# a post's taxonomy (WordPress's post_class: "category-photo-gallery"), not its layout; a picture viewer's hook
_NOT_GALLERY = re.compile(r"^(?:s-)?(?:category|tag|format|post-format|topic|section)-|lightbox", re.I)
_PROMO = re.compile(r"promo|related|recommend|sponsor|advert|teaser", re.I)
_COMMENT = re.compile(r"comment|reply|replies|respond|discuss|disqus|review|feedback|guestbook|forum", re.I)
_DATE = re.compile(
    r"(?<![\dA-Za-z])(?:19|20)\d{2}\s*[-/.年]\s*(?:1[0-2]|0?[1-9])(?!\d)\s*(?:[-/.月]\s*\d{1,2}\s*日?)?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{2})?"
    r"|(?<!\d)[0-3]?\d[/.][01]?\d[/.](?:19|20)\d{2}(?!\d)"
    r"|\d+\s*(?:分钟|小时|小時|天)前|刚刚|今天\s*\d|昨天\s*\d"
    r"|\b(?:\d+|an?)\s+(?:second|minute|min|hour|hr|day|week)s?\s+ago\b"
    r"|(?<![A-Za-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|(?<!\d)\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}",
    re.I,
)
_STAMP = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}\s*[:：时]\s*\d{2}")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|–|—|--|::|»|›|\s-\s|-(?=[^-]{1,16}$))\s*")
_ICON = re.compile(r"icon|logo|button|btn|arrow|spacer|blank|pixel|face\d*/|avatar|/images?/[^/]*\.gif$", re.I)
NOISE_FILE = "generic_noise.txt"
TAIL_FILE = "generic_tail.txt"
COMMENTS_FILE = "generic_comments.txt"
SLOGAN_TIMES = 3  # a tail marker printed this often in a page is inserted after paragraphs
MIN_LINE = 8
_SHORT = 120  # noise phrases are looked for in lines up to this many characters
_TAIL_MAX_CHARS = 50


@dataclass
class GenericArticle:
    """A generically extracted article: headline, paragraphs, body images and the raw date text.

    ``kind`` is ``"article"`` or ``"listing"`` (a page of teasers: ``body`` is then empty and
    ``reason`` says why); ``method`` says how the body was chosen (``cheap`` or ``vote``).
    """

    title: str | None
    body: list[str]
    images: list[str]
    date_text: str | None
    kind: str = "article"
    reason: str | None = None
    method: str = "cheap"
    byline: list[str] = field(default_factory=list)


def tokens(text: str) -> list[str]:
    """The text's tokens: each CJK, kana or Hangul character, each word of another script."""
    return _TOKEN.findall(text)


def count(text: str) -> int:
    """Text size in tokens: each CJK, kana or Hangul character, each word of another script."""
    return len(_TOKEN.findall(text))


def normalise_space(text: str) -> str:
    return textmod.clean_line(text)


class PageLine:
    """A line of the page with what scoring reads: tokens, punctuation, link share, container."""

    __slots__ = ("_raw_words", "_words", "chrome", "container", "images", "index", "line", "link", "owner", "punct",
                 "tag", "text", "tokens")

    def __init__(self, line: textmod.Line, container: Any) -> None:
        text = line.text
        self.line = line
        self.text = text
        self.index = line.index
        self.owner = line.owner
        self.container = container
        self.chrome = line.marked
        self.images = line.images
        self._raw_words: list[str] = _TOKEN.findall(text) if text else []
        self._words: list[str] | None = None
        self.tokens = len(self._raw_words)
        self.punct = len(_PUNCT.findall(text)) if text else 0
        self.link = min(1.0, line.link_chars / self.tokens) if self.tokens else 0.0
        tag = line.owner.tag if line.owner is not None else ""
        self.tag = tag.lower() if isinstance(tag, str) else ""

    @property
    def words(self) -> list[str]:
        """The tokens casefolded (only the voters read them)."""
        if self._words is None:
            self._words = [w.casefold() for w in self._raw_words]
        return self._words

    @property
    def own_tokens(self) -> float:
        return self.tokens * (1 - self.link)


class Page:
    """One parsed page read once: its lines and the container/ancestor facts scoring needs."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._container: dict[Any, Any] = {}
        self.lines = self._walk(textmod.SKIP_TAGS)
        if (hidden := sum(count(el.text_content()) for el in root.iter("noscript"))) > 0 and \
                hidden > sum(line.tokens for line in self.lines):
            # a <noscript> left open (or a page that is all fallback) holds the page: what a reader sees
            self.lines = self._walk(textmod.SKIP_TAGS - {"noscript"})
        chrome = sum(line.tokens for line in self.lines if line.chrome)
        if chrome * 2 > sum(line.tokens for line in self.lines):
            for line in self.lines:
                line.chrome = False
        self._weights: dict[Any, float] = {}
        self._hints: dict[Any, tuple[float, float, float, float, float]] = {}

    def _walk(self, skip: frozenset[str]) -> list[PageLine]:
        return [PageLine(line, self.container_of(line.owner)) for line in
                textmod.walk([self.root], skip=skip, skip_hidden=True, measure=count, mark=CHROME_TAGS)]

    def hints(self, el: Any) -> tuple[float, float, float, float, float]:
        """Of ``el`` and its ancestors: a comment-like, negative or positive class/id, an ``article``/``main``
        ancestor, a ``header``/``form`` ancestor (each 0 or 1)."""
        none = (0.0, 0.0, 0.0, 0.0, 0.0)
        if el is None:
            return none
        chain = []
        node = el
        while node is not None and node not in self._hints:
            chain.append(node)
            node = node.getparent()
        up = self._hints[node] if node is not None else none
        for node in reversed(chain):  # from the top down, without recursion
            tag = node.tag.lower() if isinstance(node.tag, str) else ""
            if tag in ("body", "html"):  # their classes describe the whole page
                self._hints[node] = up
                continue
            attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
            up = (
                1.0 if up[0] or _COMMENT.search(attrs) else 0.0,
                1.0 if up[1] or _NEGATIVE.search(attrs) else 0.0,
                1.0 if up[2] or _POSITIVE.search(attrs) else 0.0,
                1.0 if up[3] or tag in ("article", "main") else 0.0,
                1.0 if up[4] or tag in ("header", "form") else 0.0,
            )
            self._hints[node] = up
        return up

    def container_of(self, el: Any) -> Any:
        found = self._container.get(el, False)
        if found is not False:
            return found
        walked = []
        node = el
        while node is not None and (not isinstance(node.tag, str) or node.tag.lower() not in CONTAINER_TAGS):
            walked.append(node)
            node = node.getparent()
        for w in walked:
            self._container[w] = node
        self._container[el] = node
        return node

    def class_weight(self, el: Any) -> float:
        weight = self._weights.get(el)
        if weight is None:
            weight = 0.0
            for attr in (el.get("class"), el.get("id")):
                if attr:
                    if _NEGATIVE.search(attr):
                        weight -= 25
                    if _POSITIVE.search(attr):
                        weight += 25
            self._weights[el] = weight
        return weight


# The cheap path ------------------------------------------------------------------------------


def _score_containers(lines: list[PageLine]) -> dict[Any, float]:
    scores: dict[Any, float] = {}
    for line in lines:
        own = line.own_tokens
        if own < MIN_LINE or line.container is None or line.chrome:
            continue
        value = (1 + line.punct + min(own / 40, 4)) * (1 - line.link)
        el, level = line.container, 0
        while el is not None and level < 4:
            scores[el] = scores.get(el, 0.0) + value / (1 + level) ** 1.5
            el = el.getparent()
            level += 1
    return scores


def _region_totals(lines: list[PageLine]) -> dict[Any, list[float]]:
    """Per element: tokens, tokens inside links and punctuation marks of its lines."""
    totals: dict[Any, list[float]] = {}
    for line in lines:
        if line.chrome:
            continue
        el = line.container
        link = line.tokens * line.link
        while el is not None:
            t = totals.get(el)
            if t is None:
                totals[el] = [line.tokens, link, line.punct]
            else:
                t[0] += line.tokens
                t[1] += link
                t[2] += line.punct
            el = el.getparent()
    return totals


def _link_density(el: Any, totals: dict[Any, list[float]]) -> float:
    t = totals.get(el)
    return t[1] / t[0] if t and t[0] else 1.0


def _grow(page: Page, best: Any, totals: dict[Any, list[float]]) -> Any:
    """Climb from ``best`` while each step up adds only body-like text: few links, real sentences."""
    current = best
    while True:
        parent = current.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag.lower() in ("body", "html") \
                or page.class_weight(parent) < 0:
            return current
        tokens, links, punct = (a - b for a, b in zip(totals[parent], totals[current], strict=True))
        if tokens <= 0:
            current = parent
            continue
        if tokens < 50 or links / tokens > 0.15 or punct / tokens < 0.03:
            return current
        current = parent


@dataclass
class Region:
    """The cheap path's body region: its elements, and how sure the choice was."""

    elements: set[Any]
    score: float = 0.0
    runner_up: float = 0.0  # the best score outside the region (0 when none)


def select_region(page: Page) -> Region:
    """The element(s) holding the body: the best scored container, grown, plus strong siblings."""
    lines = page.lines
    scores = _score_containers(lines)
    if not scores:
        return Region(set())
    totals = _region_totals(lines)
    final = {el: (score + page.class_weight(el)) * (1 - _link_density(el, totals)) for el, score in scores.items()}
    top = max(final, key=final.__getitem__)
    best = _grow(page, top, totals)
    region = {best}
    parent = best.getparent()
    if parent is not None:
        threshold = max(10.0, final.get(best, 0.0) * 0.25)
        for sib in parent:
            if (sib is not best and final.get(sib, 0.0) >= threshold and _link_density(sib, totals) < 0.3
                    and page.class_weight(sib) >= 0):
                region.add(sib)
    # The strongest container that is neither inside nor around the region: a rival body.
    around = {a for el in region for a in el.iterancestors()}
    runner = 0.0
    for el, value in final.items():
        if value > runner and el not in around and not _inside(el, region):
            runner = value
    return Region(region, final[top], runner)


def _inside(el: Any, region: set[Any]) -> bool:
    node = el
    while node is not None:
        if node in region:
            return True
        node = node.getparent()
    return False


def in_region(page: Page, region: set[Any]) -> list[bool]:
    """For each line of the page: does its container sit inside the region?"""
    cache: dict[Any, bool] = {}
    out = []
    for line in page.lines:
        el = line.container
        if line.chrome:
            out.append(False)
            continue
        if el in cache:
            out.append(cache[el])
            continue
        node, walked, found = el, [], False
        while node is not None:
            if node in region:
                found = True
                break
            if node in cache:
                found = cache[node]
                break
            walked.append(node)
            node = node.getparent()
        for w in walked:
            cache[w] = found
        cache[el] = found
        out.append(found)
    return out


def is_paragraph(line: PageLine) -> bool:
    """A written paragraph: two punctuation marks and 30 tokens (a dozen words of a spaced script will do)."""
    return line.punct >= 2 and (line.tokens >= 30 or (line.tokens >= 12 and len(line.text) >= 80))


def looks_dated(text: str) -> bool:
    return _DATE.search(text) is not None


def is_noise(text: str) -> bool:
    return len(text) <= _SHORT and whole_line(NOISE_FILE).search(text) is not None


def is_tail(line: PageLine) -> bool:
    return len(line.text) <= _TAIL_MAX_CHARS and (line_start(TAIL_FILE).search(line.text) is not None
                                                  or line_start(COMMENTS_FILE).search(line.text) is not None)


def heads_comments(line: PageLine) -> bool:
    """A heading of the readers' comments (not a link to them, nor a table's column)."""
    return len(line.text) <= _TAIL_MAX_CHARS and line.link <= 0.5 and line.tag not in ("td", "th") and \
        line_start(COMMENTS_FILE).search(line.text) is not None


def recurring(lines: list[PageLine]) -> set[str]:
    """Texts seen ``SLOGAN_TIMES`` times or more: a tail marker among them is a slogan, not the tail."""
    counts = Counter(line.text for line in lines if line.text)
    return {text for text, n in counts.items() if n >= SLOGAN_TIMES}


def _is_heading_or_meta(line: PageLine) -> bool:
    """A headline or a byline/date line standing above the first paragraph."""
    if line.tag in HEADING_TAGS:
        return True
    return len(line.text) <= 80 and _dated(line.text) and not is_paragraph(line)


def cheap_body(lines: list[PageLine], title: str | None = None) -> list[PageLine]:
    """The body lines among the region's lines: credits, link lists and the related-links tail left out.

    A tail line ends the body past the first 30% of the region's text (a "Related" box above the story
    does not cut it); a comments heading ends it after two paragraphs, however long the comments are.
    Headings above the first paragraph are left out, unless ``title`` is given: then a heading that is not
    the title stays when headings of its level divide the text below (a section's heading, not a kicker)."""
    body: list[PageLine] = []
    total = sum(line.tokens for line in lines) or 1
    seen = paragraphs = 0
    first = next((i for i, line in enumerate(lines) if is_paragraph(line)), 0)
    slogans = recurring(lines)
    sections = {line.tag for line in lines[first + 1:] if line.tag in HEADING_TAGS and line.text}
    for i, line in enumerate(lines):
        seen += line.tokens
        if i < first and _is_heading_or_meta(line) and not (title and line.tag in sections and line.text not in title
                                                            and title not in line.text):
            continue
        if line.text and body and line.text not in slogans and is_tail(line) and (
                seen > total * 0.3 or (paragraphs >= 2 and heads_comments(line))):
            break
        if not line.tokens:
            if line.images:
                body.append(line)
            continue
        if line.link > 0.5 or is_noise(line.text):
            continue
        body.append(line)
        paragraphs += is_paragraph(line)
    return body


def before_comments(page: Page, kept: list[PageLine]) -> list[PageLine]:
    """The kept lines above the first comments heading of the page that follows two kept paragraphs: what
    the readers say under a story is not the story, however much of the page it fills."""
    chosen = {line.index for line in kept}
    slogans: set[str] | None = None
    paragraphs = 0
    for line in page.lines:
        if paragraphs >= 2 and line.text and not line.chrome and heads_comments(line):
            if slogans is None:
                slogans = recurring(page.lines)
            if line.text not in slogans:
                return [k for k in kept if k.index < line.index]
        if line.index in chosen:
            paragraphs += is_paragraph(line)
    return kept


_TOC_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+、)\s*")
_EDIT_LINK = re.compile(r"\s*\[(?:edit|编辑|編輯|modifier|bearbeiten|editar)[^]]*\]\s*$", re.I)


def _toc_key(text: str) -> str:
    """A heading's text as a table of contents lists it: without its number or its "[edit]" link."""
    return _EDIT_LINK.sub("", _TOC_NUMBER.sub("", text)).casefold()


def conventions(lines: list[PageLine], title_at: int | None) -> list[PageLine]:
    """The project's conventions on a chosen body: the headline is the title field, not a body line;
    credits, sharing stubs and copyright lines (the noise list) and the byline/date lines above the
    first paragraph are not body; nor is a table of contents (links whose texts are headings further down), nor
    a tail heading ("Share this:", "Related") left as the last line."""
    first = next((i for i, line in enumerate(lines) if is_paragraph(line)), 0)
    heading_at = {_toc_key(line.text): i for i, line in enumerate(lines) if line.tag in HEADING_TAGS and line.text}
    out = []
    for i, line in enumerate(lines):
        if line.index == title_at:
            continue
        if line.text and (is_noise(line.text) or (i < first and line.tag not in HEADING_TAGS
                                                  and _is_heading_or_meta(line))):
            continue
        if line.link > 0.5 and line.tag not in HEADING_TAGS and heading_at.get(_toc_key(line.text), -1) > i:
            continue
        out.append(line)
    while out and out[-1].text and is_tail(out[-1]):  # a "Share this:" or "Related" heading left at the end
        out.pop()
    return out


def _images(lines: list[PageLine], url: str) -> list[str]:
    found: dict[str, None] = {}
    for line in lines:
        for img in line.images:
            src = textmod.image_url(img)
            if not src or _ICON.search(src):
                continue
            if any(img.get(dim, "").isdigit() and int(img.get(dim)) < 60 for dim in ("width", "height")):
                continue
            found.setdefault(urljoin(url, src), None)
    return list(found)


# Title and byline ------------------------------------------------------------------------------


def _strip_site(title: str) -> str:
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    first = parts[0].strip()
    return first if count(first) >= 4 else max(parts, key=len).strip()


def page_title(root: Any) -> str | None:
    """The headline: the heading :func:`title_heading` finds; else the ``<h1>`` inside the title (not the
    site's own); else ``og:title`` or the ``<title>`` without the site's name."""
    titles = root.xpath("//title//text()")
    page = normalise_space(" ".join(t for t in titles if isinstance(t, str)))
    og = root.xpath("//meta[@property='og:title' or @name='og:title']/@content")
    og_title = normalise_space(og[0]) if og else ""
    if heading := title_heading(root, [og_title, page]):
        return heading
    reference = og_title or page
    sites = _site_names(root)
    h1s = [(h, text) for h in root.iter("h1") if 4 <= len(text := normalise_space("".join(h.itertext()))) <= 200]
    for _h, text in sorted(h1s, key=lambda one: _site_heading(*one, sites)):
        if reference and (text in reference or _strip_site(reference) in text):
            return text
    if og_title:
        return _strip_site(og_title)
    if h1s:
        return h1s[0][1]
    return _strip_site(page) or None


def title_heading(root: Any, titles: list[str]) -> str | None:
    """The ``<h1>``-``<h3>`` heading that is one of the page's ``titles`` (``og:title``, ``<title>``), or else
    the longest that is an end of one and not the site's name ("Yesterday's over" in "Seth's Blog:
    Yesterday's over", not the ``<h1>`` "Seth's Blog", a link to the front page)."""
    refs = [ref for ref in (normalise_space(one).casefold().strip(_TITLE_EDGE) for one in titles) if ref]
    if not refs:
        return None
    heads = [(h, normalise_space("".join(h.itertext()))) for h in root.iter("h1", "h2", "h3")]
    heads = [(h, text) for h, text in heads if 4 <= len(text) <= 200]
    sites = _site_names(root)
    whole = [(h, text) for h, text in heads if text.casefold() in refs]
    if whole:  # the site's own heading last, then the <h1> first
        return min(whole, key=lambda one: (_site_heading(*one, sites), one[0].tag))[1]
    ends = [text for h, text in heads
            if any(_title_end(ref, text.casefold()) for ref in refs) and not _site_heading(h, text, sites)]
    return max(ends, key=len) if ends else None


def _site_names(root: Any) -> set[str]:
    return {normalise_space(name).casefold() for name in root.xpath(
        "//meta[@property='og:site_name' or @name='application-name']/@content")}


def _site_heading(heading: Any, text: str, sites: set[str]) -> bool:
    """A heading that names the site: its ``og:site_name``, or a link to the site's front page or a section."""
    if text.casefold() in sites:
        return True
    hrefs = heading.xpath(".//a/@href")
    if not hrefs:
        return False
    try:
        parts = [part for part in urlparse(hrefs[0]).path.split("/") if part]
    except ValueError:  # "http://[::1": not a link anywhere
        return False
    return not parts or (len(parts) == 1 and not re.search(r"[-\d.]", parts[0]))  # not a post's slug


_TITLE_EDGE = " \t:|｜_-–—«»›·：/"


def _title_end(title: str, text: str) -> bool:
    """Whether ``text`` is the title's beginning or end, cut at a separator (``: `` ``|`` ``-`` ``«``...)."""
    if title.startswith(text):
        rest = title[len(text):]
        cut = rest.lstrip(" ")[:1]
    elif title.endswith(text):
        rest = title[:-len(text)]
        cut = rest.rstrip(" ")[-1:]
    else:
        return False
    return bool(rest.strip(_TITLE_EDGE)) and bool(cut) and cut in _TITLE_EDGE


def _first_heading(lines: list[PageLine], body: list[PageLine]) -> str | None:
    """On a page with no ``<title>``, ``og:title`` or ``<h1>``: the heading nearest above the body, else its
    first heading, that is words rather than a date or a time."""
    if not body:
        return None
    start = body[0].index
    above = (line for line in reversed(lines[max(0, start - _WINDOW):start]) if line.tag in HEADING_TAGS)
    inside = (line for line in body if line.tag in HEADING_TAGS)
    return next((line.text for line in (*above, *inside)
                 if 4 <= len(line.text) <= 200 and _WORDY.search(line.text) and not _dated(line.text)), None)


_WORDY = re.compile(r"[^\W\d_]{3,}")  # three letters in a row, of any script: not a time or a number


def title_index(lines: list[PageLine], title: str | None) -> int | None:
    """The index of the line holding the headline, if the page prints it."""
    if not title:
        return None
    for i, line in enumerate(lines):
        if line.text and (line.text == title or (line.tag in HEADING_TAGS and title in line.text)):
            return i
    for i, line in enumerate(lines):
        if line.text and len(line.text) <= 2 * len(title) + 20 and title in line.text:
            return i
    return None


def byline_window(lines: list[PageLine], title_at: int | None, body: list[PageLine]) -> list[PageLine]:
    """The short lines between the headline and the body's first paragraph (where bylines and dates stand)."""
    first = next((line.index for line in body if is_paragraph(line)), body[0].index if body else None)
    if title_at is None:
        if first is None:
            return []
        start = max(0, first - _ABOVE_BODY)
    else:
        start = title_at + 1
    end = first if first is not None and first >= start else start + 12
    window = lines[start:min(end, start + _WINDOW)]
    if first is not None and first - start > _WINDOW:
        # menus between the title found (a site name) and the body: the byline under the heading that
        # stands nearest above the first paragraph
        above = range(first - 1, max(start + _WINDOW, first - _WINDOW) - 1, -1)
        heading = next((i for i in above if lines[i].tag in HEADING_TAGS and lines[i].text), None)
        if heading is not None:
            window += lines[heading + 1:first]
    return [line for line in window if line.text and len(line.text) <= 200]


def _byline_like(line: PageLine) -> bool:
    return len(line.text) <= 160 and _dated(line.text)


def _dated(text: str) -> bool:
    return _DATE.search(text) is not None or has_written_date(text)


def date_line(lines: list[PageLine], window: list[PageLine], body: list[PageLine]) -> str | None:
    """The line that dates the article: a dated line of the byline window, else a short dated line opening
    the body, else a short line in or right after the body with a full date and time (a post's footer)."""
    for line in window:
        if line.link <= 0.5 and _dated(line.text):
            return line.text
    for line in body[:6]:
        if len(line.text) <= 80 and not is_paragraph(line) and line.link <= 0.5 and _dated(line.text):
            return line.text
    after = lines[body[-1].index + 1:body[-1].index + 4] if body else []
    for line in [*body, *after]:
        if len(line.text) <= 80 and _STAMP.search(line.text):
            return line.text
    return None


# Entry points -------------------------------------------------------------------------------------


def as_html(root: Any) -> Any:
    """``root`` as an HTML tree: an XHTML page parsed as XML (namespaced tags, no ``text_content``) is
    read again as HTML; an HTML tree is returned as it is."""
    if root is None or isinstance(root, lxml.html.HtmlElement) or not isinstance(getattr(root, "tag", None), str):
        return root
    return lxml.html.document_fromstring(etree.tostring(root, encoding="unicode"))


_MARKUP = re.compile(r"</?(?:html|head|body|script|style|meta|link|div|table|p|a)\b", re.I)


def close_runaway_title(root: Any) -> Any | None:
    """The page read again with its ``<title>`` ended, when the title never closes and so holds the rest of the
    source as its text (a page with no body); None when the title is sound. ``root`` is not modified."""
    title = root.find(".//title") if isinstance(getattr(root, "tag", None), str) else None
    text = title.text if title is not None else None
    if not text or len(text) < 200 or not _MARKUP.search(text):
        return None
    end = text.find("<")  # found: the markup starts with one
    if 0 <= (newline := text.find("\n")) < end:
        end = newline
    source = etree.tostring(root, encoding="unicode", method="html")
    start = source.find("<title")
    if start < 0:
        return None
    escaped = text[:end].replace("&", "&amp;").replace("<", "&lt;")
    try:
        return lxml.html.document_fromstring(f"{source[:start]}<title>{escaped}</title>{text[end:]}")
    except (etree.ParserError, ValueError):
        return None


def parse(page: str | Any) -> Any | None:
    """An lxml HTML root of ``page`` (HTML text, an lxml element or a parsel Selector), or None if unreadable.

    Text with an XML declaration (XHTML) is parsed as UTF-8 bytes, as lxml refuses it as text. Damaged
    markup is mended (:func:`repair_markup`).
    """
    root = _parse(page)
    return None if root is None else repair_markup(root)


def repair_markup(root: Any) -> Any:
    """``root``, or a mended copy of it: the documents that follow it joined to it, a title that never closes
    ended. The one place both the page record and the generic extractor mend a page."""
    root = join_documents(root)
    repaired = close_runaway_title(root)
    return root if repaired is None else repaired


def join_documents(root: Any) -> Any:
    """``root``, or a copy of it holding the documents that follow it (a page saved as two: ``</html><html>``,
    which libxml2 parses into sibling roots and a browser shows as one page)."""
    if not isinstance(getattr(root, "tag", None), str) or root.getparent() is not None:
        return root
    following = [el for el in root.itersiblings() if isinstance(el.tag, str)]
    if not following:
        return root
    joined = copy.deepcopy(root)
    body = joined.find("body")
    if body is None:
        body = etree.SubElement(joined, "body")
    for document in following:
        for part in document:
            if not isinstance(part.tag, str):
                continue
            if part.tag in ("head", "body"):
                body.extend(copy.deepcopy(child) for child in part)
            else:
                body.append(copy.deepcopy(part))
    return joined


def _parse(page: str | Any) -> Any | None:
    if not isinstance(page, str):
        return as_html(getattr(page, "root", page))
    try:
        return lxml.html.document_fromstring(page)
    except ValueError:
        try:
            data = page.encode("utf-8", "surrogatepass")
            return lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
        except (etree.ParserError, ValueError):
            return None
    except etree.ParserError:
        return None


def is_caption(line: PageLine) -> bool:
    if line.tokens >= _CAPTION_MAX:
        return False
    el = line.owner
    for _ in range(_CAPTION_DEPTH):
        if el is None:
            return False
        if el.tag == "figcaption":
            return True
        el = el.getparent()
    return False


def without_captions(lines: list[PageLine]) -> list[PageLine]:
    """The body without figure captions (they describe a picture; the article does not include them),
    unless captions are most of it (a photo story)."""
    captions = [line.tokens if is_caption(line) else 0 for line in lines]
    if not any(captions) or sum(captions) * 2 > sum(line.tokens for line in lines):
        return lines
    return [line for line, tokens in zip(lines, captions, strict=True) if not tokens]


_AUTHOR_BOX = re.compile(r"author|contributor", re.I)
_AUTHOR_BOX_MAX = 600  # characters: an author's box, not a post whose wrapper names its author


def without_author_box(lines: list[PageLine]) -> list[PageLine]:
    """The body without an author's box at its end ("Biggs is the East Coast Editor of ..." in a
    ``div.author-profile``), when two paragraphs outside it stay."""
    end = len(lines)
    sizes: dict[Any, int] = {}
    while end and lines[end - 1].owner is not None and _in_author_box(lines[end - 1].owner, sizes):
        end -= 1
    if end == len(lines) or sum(is_paragraph(line) for line in lines[:end]) < 2:
        return lines
    return lines[:end]


def _in_author_box(el: Any, sizes: dict[Any, int]) -> bool:
    """Whether ``el`` sits in a short element (``_AUTHOR_BOX_MAX``) named for the author; ``sizes`` caches the
    lengths measured, for the box's other lines."""
    for _ in range(8):
        if el is None or not isinstance(el.tag, str) or el.tag in ("body", "article", "main"):
            return False
        if _AUTHOR_BOX.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            if el not in sizes:
                sizes[el] = len(normalise_space("".join(el.itertext())))
            return sizes[el] <= _AUTHOR_BOX_MAX  # a bio, not a post
        el = el.getparent()
    return False


def without_forms(lines: list[PageLine]) -> list[PageLine]:
    """The body without the text of a form set in it (a newsletter sign-up, a login box, a poll, a comment
    form: its labels and prompts); a form holding half of the body or more wraps the page (ASP.NET) and stays."""
    seen: dict[Any, Any] = {}
    forms = [_form_of(line.owner, seen) if line.owner is not None else None for line in lines]
    sizes: Counter[Any] = Counter()
    for line, form in zip(lines, forms, strict=True):
        if form is not None:
            sizes[form] += line.tokens
    half = sum(line.tokens for line in lines) / 2
    minor = {form for form, size in sizes.items() if size < half}
    return [line for line, form in zip(lines, forms, strict=True) if form not in minor] if minor else lines


def _form_of(el: Any, seen: dict[Any, Any]) -> Any:
    """The nearest ``<form>`` holding ``el``, or None."""
    chain = []
    while el is not None and el not in seen:
        if isinstance(el.tag, str) and el.tag.lower() == "form":
            break
        chain.append(el)
        el = el.getparent()
    found = None if el is None else seen.get(el, el)
    for node in chain:
        seen[node] = found
    return found


_GALLERY_SHARE = 0.8  # above this share of the body, a gallery's text is the story
_GALLERY_MIN_LINES = 3  # fewer lines in one gallery element are a figure's, not a slideshow's


def _gallery_of(el: Any, seen: dict[Any, Any]) -> Any:
    """The outermost gallery or slideshow element holding ``el`` (not ``body``), or None."""
    chain = []
    while el is not None and el not in seen:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("body", "html"):
            break
        chain.append(el)
        el = el.getparent()
    found = seen.get(el) if el is not None else None
    for node in reversed(chain):
        if found is None and any(_GALLERY.search(token) and not _NOT_GALLERY.search(token)
                                 for token in f"{node.get('class') or ''} {node.get('id') or ''}".split()):
            found = node
        seen[node] = found
    return found


def without_galleries(lines: list[PageLine]) -> list[PageLine]:
    """The body without the text of a gallery or slideshow set in it (the captions of its slides: three
    lines or more in one gallery element), unless that text is most of it (a photo story) and not set in a
    promotion or related-content block (a site's slideshow under a short story)."""
    seen: dict[Any, Any] = {}
    owners = [_gallery_of(line.owner, seen) if line.owner is not None else None for line in lines]
    galleries = {owner for owner, n in Counter(owners).items() if owner is not None and n >= _GALLERY_MIN_LINES}
    inside = [line.tokens if owner in galleries else 0 for line, owner in zip(lines, owners, strict=True)]
    if all(inside) or not any(inside):
        return lines
    if sum(inside) > _GALLERY_SHARE * sum(line.tokens for line in lines) and not all(map(_promoted, galleries)):
        return lines
    return [line for line, tokens in zip(lines, inside, strict=True) if not tokens]


def _promoted(el: Any) -> bool:
    """A gallery in a promotion or related-content block (itself or within three ancestors)."""
    for _ in range(4):
        if el is None or not isinstance(el.tag, str) or el.tag.lower() in ("body", "html"):
            return False
        if _PROMO.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
        el = el.getparent()
    return False


def _span(page: Page, lines: list[PageLine]) -> list[PageLine]:
    """The page's lines from the body's first line to its last (what the body was chosen from)."""
    return page.lines[lines[0].index:lines[-1].index + 1] if lines else []


def _lead_line(line: PageLine) -> bool:
    return (is_paragraph(line) and line.tag not in HEADING_TAGS and line.link < 0.3 and not line.chrome
            and not is_noise(line.text) and not is_caption(line) and not _byline_like(line))


def with_standfirst(page: Page, body: list[PageLine], title_at: int | None) -> list[PageLine]:
    """The body with its standfirst put back: up to two prose paragraphs that follow the headline straight
    away, above the body's first line and with no heading before its first paragraph (a lead in the
    article's header, outside the container the body was chosen from)."""
    if title_at is None or not body or not 0 < body[0].index - title_at <= _WINDOW:
        return body
    start = body[0].index
    headline = next(i for i in range(start - 1, title_at - 1, -1) if page.lines[i].text == page.lines[title_at].text)
    if page.lines[headline].tag not in HEADING_TAGS:
        return body
    lead: list[PageLine] = []
    for line in page.lines[headline + 1:start]:
        if line.text:
            if not _lead_line(line) or len(lead) == _LEAD_MAX:
                break
            lead.append(line)
    first = next((line.index for line in body if is_paragraph(line)), start)
    if not lead or any(line.tag in HEADING_TAGS and line.text for line in page.lines[lead[-1].index + 1:first]):
        return body
    return lead + body


def _body_of(page: Page, url: str, title: str | None, vote: bool = True) -> tuple[list[PageLine], str]:
    from crawler.extract import voting

    region = select_region(page)
    flags = in_region(page, region.elements) if region.elements else [False] * len(page.lines)
    region_lines = [line for line, inside in zip(page.lines, flags, strict=True) if inside]
    cheap = cheap_body(region_lines)
    title_at = title_index(page.lines, title)
    if vote and voting.needs_votes(page, region, flags, cheap):
        voted = voting.vote(page, flags, cheap, url, title_at)
        if voted is not None and (kept := conventions(before_comments(page, voted), title_at)):
            # else the cheap body stands
            kept = without_author_box(without_forms(within_headline_post(page, kept, title_at)))
            return with_standfirst(page, without_galleries(without_captions(kept)), title_at), "vote"
    cheap = without_author_box(without_forms(within_headline_post(page, cheap_body(region_lines, title), title_at)))
    return with_standfirst(page, without_galleries(without_captions(cheap)), title_at), "cheap"


def within_headline_post(page: Page, lines: list[PageLine], title_at: int | None) -> list[PageLine]:
    """On a page of posts, each a heading with a date line under it (a newsroom's or a blog's page opened on
    one post), the body ends where the next post begins. Two more posts headed at the headline's level are
    asked for."""
    if title_at is None or page.lines[title_at].tag not in HEADING_TAGS:
        return lines
    tag = page.lines[title_at].tag
    if not _dated_post(page.lines, title_at, tag):
        return lines
    starts = [i for i, line in enumerate(lines)
              if line.index > title_at and line.tag == tag and line.text and _dated_post(page.lines, line.index, tag)]
    return lines[:starts[0]] if len(starts) >= 2 else lines


def _dated_post(lines: list[PageLine], at: int, tag: str) -> bool:
    """Whether one of the three text lines under the heading at ``at`` is a short date line."""
    seen = 0
    for i in range(at + 1, len(lines)):
        line = lines[i]
        if not line.text:
            continue
        if line.tag == tag:
            return False
        if len(line.text) <= 80 and looks_dated(line.text):
            return True
        seen += 1
        if seen == 3:
            return False
    return False


def generic_body(root: Any, url: str) -> tuple[list[str], list[str]]:
    """Body paragraphs and absolute image URLs of an article page.

    ``root`` is a parsed lxml element (``lxml.html.fromstring``) or a parsel ``Selector``
    (its ``.root`` is used); it is not modified. Returns ``([], [])`` when nothing scores.
    """
    root = parse(root)
    if root is None or not isinstance(root.tag, str):
        return [], []
    page = Page(root)
    lines, _method = _body_of(page, url, page_title(root))
    if listing_reason(_span(page, lines), lines):
        return [], []
    return [line.text for line in lines if line.text], _images(lines, url)


def extract_generic(page: str | Any, url: str, vote: bool = True) -> GenericArticle:
    """Title, body, images and raw date text of an article page, without site knowledge.

    ``page`` is the HTML, or an already-parsed lxml root or parsel Selector (left unchanged);
    ``vote=False`` keeps to the cheap path (when only the title, byline and date are wanted).
    """
    root = parse(page)
    if root is None or not isinstance(root.tag, str):
        return GenericArticle(None, [], [], None, kind="empty", reason="unreadable markup")
    parsed = Page(root)
    title = page_title(root)
    lines, method = _body_of(parsed, url, title, vote)
    if reason := listing_reason(_span(parsed, lines), lines):
        return GenericArticle(title, [], [], None, kind="listing", reason=reason, method=method)
    body = [line.text for line in lines if line.text]
    title = title or _first_heading(parsed.lines, lines)
    title_at = title_index(parsed.lines, title)
    window = byline_window(parsed.lines, title_at, lines)
    return GenericArticle(title, body, _images(lines, url), date_line(parsed.lines, window, lines), method=method,
                          byline=[line.text for line in window])
