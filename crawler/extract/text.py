"""HTML to plain-text lines, the way a reader sees the blocks: the one walker of ``crawler/extract``.

``walk`` turns elements into :class:`Line` records (text, the element that holds it, the share
of it inside links, its images); ``paragraphs`` keeps their text. Site containers and the
generic extractor read pages through it, so both agree on what a paragraph is: block tags and
``<br>`` end one, whitespace (including no-break and ideographic spaces) collapses to one space.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section summary table "
    "tbody td tfoot th thead tr ul".split()
)
# Never read as text: code, styles, embedded objects, form controls, what the document head holds, and ruby
# annotations (<rt>: the reading printed above a word, as in 子<rt>こ</rt>ども; <rp>: its fallback brackets).
# The head itself is walked: when a page puts body markup in it (an unknown tag before <body>), lxml
# leaves the whole page inside <head>, where a browser would have started the body.
SKIP_TAGS = frozenset(
    "script style noscript template iframe frame frameset object embed applet svg canvas math button select "
    "option textarea input title base video audio source track param map area link meta rt rp".split()
)
IMAGE_ATTRS = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "data-url", "src")
_SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def clean_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class Line:
    """One visual line: its text, the element it belongs to (``owner``: the block it ends, or the
    block it sits in), characters inside links, the ``<img>`` elements met since the previous line,
    its position (``index``) among the lines of the walk, and whether it sits inside one of the
    walk's ``mark`` tags (``marked``)."""

    __slots__ = ("images", "index", "link_chars", "marked", "owner", "text")

    def __init__(self, text: str, owner: Any, link_chars: int, images: list[Any], index: int,
                 marked: bool = False) -> None:
        self.text = text
        self.marked = marked
        self.owner = owner
        self.link_chars = link_chars
        self.images = images
        self.index = index

    def __repr__(self) -> str:
        return f"Line({self.text[:40]!r})"


def is_hidden(el: Any) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or (style is not None and _HIDDEN.search(style) is not None)


def walk(elements: Iterable[Any], skip: frozenset[str] = SKIP_TAGS, skip_hidden: bool = False,
         measure: Callable[[str], int] = len, mark: frozenset[str] = frozenset()) -> list[Line]:
    """The visual lines of the elements, in document order, one pass without recursion.

    Subtrees of ``skip`` tags (and hidden elements with ``skip_hidden``) are not read; their tails
    are. Lines with no text but images are kept (their text is ``""``). ``link_chars`` is the text
    inside links as ``measure`` sizes it (default: characters, whitespace included); a line inside
    an element of a ``mark`` tag is ``marked``.
    """
    out: list[Line] = []
    buf: list[str] = []
    link = [0]
    marks = [0]
    imgs: list[Any] = []

    def flush(owner: Any) -> None:
        text = clean_line("".join(buf)) if buf else ""
        buf.clear()
        if text or imgs:
            out.append(Line(text, owner, link[0], imgs.copy(), len(out), marks[0] > 0))
            imgs.clear()
        link[0] = 0

    for element in elements:
        links_open = 0
        skipped = None
        walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
        for event, node in walker:
            if event == "comment" or event == "pi":
                if node.tail:
                    buf.append(node.tail)
                    if links_open:
                        link[0] += measure(node.tail)
                continue
            tag = node.tag
            tag = tag.lower() if isinstance(tag, str) else ""
            if event == "start":
                if tag in BLOCK_TAGS:
                    parent = node.getparent()
                    flush(parent if parent is not None else node)
                if tag in skip or (skip_hidden and is_hidden(node)):
                    walker.skip_subtree()
                    skipped = node
                    continue
                if tag in mark:
                    marks[0] += 1
                if tag == "br":
                    flush(node.getparent())
                elif tag == "img":
                    imgs.append(node)
                elif tag == "a":
                    links_open += 1
                if node.text:
                    buf.append(node.text)
                    if links_open:
                        link[0] += measure(node.text)
                continue
            # "end": also sent for a skipped element, whose tail is still read
            if node is skipped:
                skipped = None
            else:
                if tag in BLOCK_TAGS:
                    flush(node)
                elif tag == "a":
                    links_open -= 1
                if tag in mark:
                    marks[0] -= 1
            if node.tail and node is not element:
                buf.append(node.tail)
                if links_open:
                    link[0] += measure(node.tail)
        flush(element)
    return out


def paragraphs(elements: Iterable[HtmlElement]) -> list[str]:
    """Plain-text paragraphs of the given elements: block tags and ``<br>`` end a paragraph.

    Walks the tree without recursion, so markup nested thousands deep reads like any other.
    """
    return [line.text for line in walk(elements) if line.text]


def image_url(img: Any) -> str | None:
    """The address of an ``<img>``, lazy-loading attributes first; None for inline ``data:`` images."""
    for attr in IMAGE_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None


def images(elements: Iterable[HtmlElement], base_url: str) -> list[str]:
    """Absolute URLs of the images inside the elements, in order, once each."""
    seen: dict[str, None] = {}
    for element in elements:
        for img in element.iter("img"):
            src = image_url(img)
            if src:
                seen.setdefault(urljoin(base_url, src), None)
    return list(seen)
