"""Pure text cleaning: normalisation, boilerplate and watermarks, repeated paragraphs.

Functions take and return plain data (lists of lines, strings) and record what they removed
as :class:`Removal` entries (line, kind, rule); the pipelines in ``crawler/pipelines`` wrap them.
Cleaning only removes: page furniture (bylines, 责任编辑, breadcrumbs) is read into fields by the
extraction (``crawler.extract.byline``). ``clean_text`` runs the whole chain, as the pipelines do,
without learned boilerplate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawler.cleaning.keys import Removal, line_key
from crawler.cleaning.normalize import normalize_text, normalize_title
from crawler.cleaning.repeats import drop_repeated
from crawler.cleaning.rules import Rule, RuleSet, apply_rule_to_line, apply_rules, compile_rules, load_rules
from crawler.cleaning.watermark import Watermark, cut_watermarks, strip_watermarks

__all__ = [
    "Cleaned",
    "Removal",
    "Rule",
    "RuleSet",
    "clean_text",
    "compile_rules",
    "drop_repeated",
    "line_key",
    "load_rules",
    "normalize_text",
    "normalize_title",
    "strip_boilerplate",
    "strip_title",
]


@dataclass
class Cleaned:
    """The outcome of a cleaning step: the lines kept, what went, and the article's watermarks."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)
    watermarks: list[Watermark] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(removal.kind for removal in self.removed)


def strip_boilerplate(lines: list[str], rules: RuleSet | list[Rule]) -> Cleaned:
    """Rule matches (related-content tails included) and automatic watermarks removed, in that order."""
    lines, removed = apply_rules(lines, rules)
    lines, watermark_removed, marks = strip_watermarks(lines)
    return Cleaned(lines, removed + watermark_removed, marks)


def strip_title(title: str, rules: RuleSet | list[Rule], marks: list[Watermark]) -> tuple[str, list[Removal]]:
    """A title without rule matches and the article's watermarks (kept as is if nothing would be left)."""
    removed: list[Removal] = []
    out = apply_rule_to_line(title, rules, removed)
    out = cut_watermarks(out, marks, removed) if out else out
    if not out:
        return title, []
    return out, removed


def clean_text(body: str, title: str = "", rules: RuleSet | list[Rule] | None = None, script: str = "keep") -> Cleaned:
    """The whole chain on a body: normalise, strip boilerplate, drop repeated paragraphs."""
    text = normalize_text(body, script)
    title = normalize_title(title, script)
    stripped = strip_boilerplate(text.split("\n") if text else [], rules if rules is not None else [])
    lines, repeated = drop_repeated(stripped.lines, title)
    return Cleaned(lines, stripped.removed + repeated, stripped.watermarks)
