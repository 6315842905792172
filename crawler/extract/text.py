"""HTML fragments to plain-text paragraphs, the way a reader sees the blocks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td th thead tfoot tr ul".split()
)
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg canvas button select textarea input "
                      "head title video audio source map".split())
IMAGE_ATTRS = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "data-url", "src")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u200b\u200c\u200d\ufeff]+")


def clean_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def paragraphs(elements: Iterable[HtmlElement]) -> list[str]:
    """Plain-text paragraphs of the given elements: block tags and ``<br>`` end a paragraph.

    Walks the tree without recursion, so markup nested thousands deep reads like any other.
    """
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = clean_line("".join(buf))
        if line:
            lines.append(line)
        buf.clear()

    for element in elements:
        walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
        for event, node in walker:
            top = node is element
            tag = node.tag.lower() if isinstance(node.tag, str) else ""
            if event in ("comment", "pi"):
                if node.tail:
                    buf.append(node.tail)
            elif event == "start":
                if tag in SKIP_TAGS:
                    walker.skip_subtree()
                    continue
                if tag in BLOCK_TAGS or tag == "br":
                    flush()
                if node.text:
                    buf.append(node.text)
            else:
                if tag in BLOCK_TAGS:
                    flush()
                if node.tail and not top:
                    buf.append(node.tail)
        flush()
    return lines


def _image_url(img: HtmlElement) -> str | None:
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
            src = _image_url(img)
            if src:
                seen.setdefault(urljoin(base_url, src), None)
    return list(seen)
