"""Boilerplate rules: literal strings or ``re:`` regexes, matched on whole lines and inline.

A rule file has one rule a line; ``#`` starts a comment line; blank lines are ignored.

- ``re:<pattern>``: a Python regex searched in each line; what it matches is cut out. Anchor
  it (``^...$``) to remove whole lines only.
- anything else is a literal. It removes a line equal to it after normalisation (whitespace,
  punctuation and case ignored). Literals of at least ``INLINE_MIN_CHARS`` characters are also
  cut out where they appear inside a line (whitespace and punctuation between their characters
  may differ); shorter ones ("广告") would cut words out of sentences, so they match whole lines only.

A line left with no letters or digits after its cuts is removed whole.

- ``tail:<literal or re:pattern>``: a marker that ends the article (``延伸阅读``, ``此前报道：…``):
  the first line it matches goes with every line after it, when what follows reads like a list of
  teasers (short lines) after the article; elsewhere (``点击进入专题`` above the text) only the
  marker line goes. A literal marker matches a line equal to it, or one that starts with it and a
  colon (``延伸阅读：标题``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from crawler.cleaning.keys import SLOGAN_OCCURRENCES, Removal, line_key

INLINE_MIN_CHARS = 6
TEASER_MAX_CHARS = 60  # a line after a tail marker this short reads as a teaser (a linked title)
DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "boilerplate.txt"


@dataclass(frozen=True)
class Rule:
    """One compiled rule. ``source`` is the rule as written, reported in the cleaning log."""

    source: str
    kind: str
    key: str
    pattern: re.Pattern[str] | None
    tail: bool = False

    @property
    def is_regex(self) -> bool:
        return self.source.removeprefix("tail:").startswith("re:")


def _literal_pattern(text: str) -> re.Pattern[str]:
    parts: list[str] = []
    for ch in text.strip():
        if ch.isspace():
            continue
        if line_key(ch):
            if parts and parts[-1] != r"[\W_]{0,3}":
                parts.append(r"\s*")
            parts.append(re.escape(ch))
        elif not parts or parts[-1] != r"[\W_]{0,3}":
            if parts and parts[-1] == r"\s*":
                parts.pop()
            parts.append(r"[\W_]{0,3}")
    return re.compile("".join(parts), re.IGNORECASE)


def parse_rule(text: str, kind: str) -> Rule | None:
    """A rule from its written form, or None for blanks and comments. Bad regexes raise ``re.error``."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    if text.startswith("tail:"):
        body = text[5:].strip()
        if body.startswith("re:"):
            return Rule(text, kind, "", re.compile(body[3:]), tail=True)
        key = line_key(body)
        return Rule(text, kind, key, None, tail=True) if key else None
    if text.startswith("re:"):
        return Rule(text, kind, "", re.compile(text[3:]))
    key = line_key(text)
    if not key:
        return None
    pattern = _literal_pattern(text) if len(key) >= INLINE_MIN_CHARS else None
    return Rule(text, kind, key, pattern)


def compile_rules(texts: Iterable[str], kind: str) -> list[Rule]:
    return [rule for text in texts if (rule := parse_rule(text, kind)) is not None]


def load_rules(path: str | Path, kind: str = "boilerplate") -> list[Rule]:
    """Rules of a rule file (UTF-8)."""
    return compile_rules(Path(path).read_text(encoding="utf-8").splitlines(), kind)


def _combine(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:  # a group name used by two rules: screen with a pattern that always matches
        return re.compile("")


class RuleSet:
    """Rules compiled together: one set of whole-line keys and one alternation of all patterns
    screen each line, so a line that matches no rule (almost all of them) costs two look-ups."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        every = tuple(rules)
        self.tails: tuple[Rule, ...] = tuple(rule for rule in every if rule.tail)
        self.rules: tuple[Rule, ...] = tuple(rule for rule in every if not rule.tail)
        self.keys = frozenset(rule.key for rule in self.rules if rule.key)
        regexes = [rule.pattern.pattern for rule in self.rules if rule.is_regex and rule.pattern is not None]
        anchored = [pattern for pattern in regexes if pattern.startswith("^")]
        floating = [pattern for pattern in regexes if not pattern.startswith("^")]
        # An inline literal can only match a line whose key contains the literal's key.
        inline = [re.escape(rule.key) for rule in self.rules if not rule.is_regex and rule.pattern is not None]
        self.inline_keys = re.compile("|".join(inline)) if inline else None
        self.anchored = _combine(anchored)
        self.floating = _combine(floating)
        self.tail_keys = {rule.key: rule for rule in reversed(self.tails) if rule.key}
        self.tail_regex = _combine([rule.pattern.pattern for rule in self.tails if rule.pattern is not None])

    def __add__(self, other: RuleSet) -> RuleSet:
        return RuleSet(self.rules + self.tails + other.rules + other.tails)

    def __bool__(self) -> bool:
        return bool(self.rules or self.tails)

    def tail_rule(self, line: str) -> Rule | None:
        """The tail marker a line is, if any (screened by one key look-up and one alternation)."""
        if not self.tails or len(line) > 200:
            return None
        rule = self.tail_keys.get(line_key(line))
        if rule is None and self.tail_keys and ("：" in line or ":" in line):
            rule = self.tail_keys.get(line_key(re.split(r"[:：]", line.strip(" \t【[(（"), maxsplit=1)[0]))
        if rule is None and self.tail_regex is not None and self.tail_regex.search(line):
            rule = next((r for r in self.tails if r.pattern is not None and r.pattern.search(line)), None)
        return rule

    def may_match(self, line: str) -> bool:
        key = line_key(line)
        if key in self.keys or (self.inline_keys is not None and self.inline_keys.search(key) is not None):
            return True
        if self.anchored is not None and self.anchored.match(line) is not None:
            return True
        return self.floating is not None and self.floating.search(line) is not None


def apply_rule_to_line(line: str, rules: RuleSet | Iterable[Rule], removed: list[Removal]) -> str:
    """The line with every rule applied; "" when the whole line goes. Removals are appended."""
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    if not ruleset.may_match(line):
        return line
    key: str | None = None
    for rule in ruleset.rules:
        if rule.key:
            if key is None:
                key = line_key(line)
            if key == rule.key:
                removed.append(Removal(line, rule.kind, rule.source))
                return ""
        if rule.pattern is None:
            continue
        cuts = [m.group(0) for m in rule.pattern.finditer(line) if m.group(0)]
        if not cuts:
            continue
        rest = rule.pattern.sub("", line).strip()
        if not line_key(rest):
            removed.append(Removal(line, rule.kind, rule.source))
            return ""
        removed.extend(Removal(cut, rule.kind, rule.source) for cut in cuts)
        line, key = rest, None
    return line


def _ends_article(lines: list[str], at: int) -> bool:
    """Whether the marker at ``at`` closes the article: text before it, and teasers after it."""
    before = sum(len(line) for line in lines[:at])
    after = lines[at + 1:]
    if not before:
        return False
    teasers = sum(1 for line in after if len(line) <= TEASER_MAX_CHARS)
    return teasers == len(after) or (3 * teasers >= 2 * len(after) and before >= sum(len(line) for line in after))


def cut_tail(lines: list[str], rules: RuleSet) -> tuple[list[str], list[Removal]]:
    """Lines without a related-content tail (the marker and what follows it) and lone markers."""
    removed: list[Removal] = []
    out: list[str] = []
    counts: Counter[str] | None = None
    for i, line in enumerate(lines):
        rule = rules.tail_rule(line)
        if rule is None:
            out.append(line)
            continue
        if counts is None:
            counts = Counter(line_key(each) for each in lines)
        # a marker printed after paragraph after paragraph is a slogan: only its own lines go
        if counts[line_key(line)] < SLOGAN_OCCURRENCES and _ends_article(lines, i):
            removed.extend(Removal(cut, rule.kind, rule.source) for cut in lines[i:])
            break
        else:
            removed.append(Removal(line, rule.kind, rule.source))
    return out, removed


def apply_rules(lines: list[str], rules: RuleSet | Iterable[Rule]) -> tuple[list[str], list[Removal]]:
    """Lines with the rules applied (a related-content tail cut first; removed lines left out) and what went."""
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    if not ruleset:
        return list(lines), []
    lines, removed = cut_tail(lines, ruleset) if ruleset.tails else (list(lines), [])
    out = [kept for line in lines if (kept := apply_rule_to_line(line, ruleset, removed))]
    return out, removed
