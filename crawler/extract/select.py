"""Site selectors: CSS or XPath, one query or a list of them tried in turn."""

from __future__ import annotations

import re
from collections.abc import Iterable

from parsel import Selector, SelectorList

from crawler.extract import text as textmod

SelectorSpec = str | list[str] | tuple[str, ...] | None

_XPATH_START = re.compile(r"^(?:[/(]|\.\.?/|\.$|[a-z][\w-]*\s*\()")


def specs(spec: SelectorSpec) -> list[str]:
    return [] if not spec else [spec] if isinstance(spec, str) else list(spec)


def query(sel: Selector, one: str) -> SelectorList:
    """One CSS or XPath query: XPath when it starts with ``/``, ``(``, ``./`` or a function call."""
    one = one.strip()
    return sel.xpath(one) if _XPATH_START.match(one) else sel.css(one)


def select(sel: Selector, spec: SelectorSpec) -> SelectorList:
    """The first non-empty match of a selector or of a list of them.

    A match that is only empty or blank text does not count (an XPath string expression always
    "matches", perhaps with "").
    """
    for one in specs(spec):
        found = SelectorList(n for n in query(sel, one) if not isinstance(n.root, str) or n.root.strip())
        if found:
            return found
    return SelectorList()


def texts(found: Iterable[Selector]) -> list[str]:
    """The text of each match (an element's text without its scripts), blank ones left out."""
    out = []
    for node in found:
        if isinstance(node.root, str):
            line = textmod.clean_line(node.root)
        else:
            line = textmod.clean_line(" ".join(node.xpath(".//text()[not(ancestor::script or ancestor::style)]")
                                               .getall()))
        if line:
            out.append(line)
    return out
