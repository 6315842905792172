"""Repeated paragraphs: the first occurrence stays, later copies go.

A later paragraph is dropped when, after normalisation (case, width, whitespace, punctuation):

- ``exact``: it equals an earlier paragraph;
- ``contained``: it is a piece of an earlier paragraph (a repeated copy that starts mid-paragraph),
  in an article that repeats (another paragraph is an exact or near copy): alone, a piece of an
  earlier paragraph is a pull quote or a caption, and stays;
- ``near``: it nearly equals an earlier one (small edits): difflib ratio >= ``NEAR_RATIO``, both at
  least ``NEAR_MIN_TOKENS`` long (a CJK character or a word each) and with the same numbers: two
  short entries of a list differ by one word ("Authorized Bowflex Dealer", "Authorized Stamina
  Dealer"), two comments' "June 28, 2012 at 10:15 am" lines and items "#11111" and "#22222" differ
  in what they say;
- ``adjacent``: it repeats the line right before it, once (a heading printed twice; three or more
  in a row are a gallery's captions or a list);
- ``repeated_block``: a short line (heading, caption) that repeats together with a neighbouring
  paragraph: the paragraph after (or before) it repeats the one after (or before) its first
  occurrence (the article printed twice);
- ``title``: one of the first lines repeats the title; in an article that repeats (another paragraph
  is an exact or near copy), so does the heading of the second copy: right above the copy of the
  first paragraph, the title again, with a channel tag or a site name around it or cut short.

Lines that are not paragraphs (see :func:`is_paragraph`: short lines, captions, questions,
headings, ``key：value`` lines) stay when they repeat elsewhere: headings of parallel sections,
questions of an interview and photo credits legitimately recur.

Candidates for ``near`` and ``contained`` come from an index of sentence keys and paragraph
prefixes/suffixes, so the cost stays linear in the article; only a handful of candidates, of
comparable length, reach difflib. The result depends on the article alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from difflib import SequenceMatcher

from crawler.cleaning.keys import Removal, has_sentence_punct, is_caption, is_question, line_key, sentence_keys

LONG_CHARS = 20
NEAR_RATIO = 0.85
NEAR_MIN_TOKENS = 25
_MAX_CANDIDATES = 8
_AFFIX = 12
_SENTENCE_MIN = 8
_DIFFLIB_MAX = 3000
_HEADING_MAX = 40
_QUESTION_MAX = 60
_TITLE_MIN_CHARS = 5
_TITLE_EXTRA = 16
_TITLE_CUT_MIN = 10
_FIELD = re.compile(r"^[^：:。，,]{1,12}[：:]")
_SENTENCE_END = re.compile(r"[。！!？?；;]")
_NUMBER = re.compile(r"\d+")
_WIDE = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_WIDE}]|[^\W_{_WIDE}]+")


def _sentence_keys(line: str) -> list[str]:
    return [sk for sk in sentence_keys(line) if len(sk) >= _SENTENCE_MIN]


def _tokens(line: str) -> int:
    return len(_TOKEN.findall(line))


def _similar(a: str, b: str) -> bool:
    if min(len(a), len(b)) < NEAR_RATIO * max(len(a), len(b)):
        return False
    if _NUMBER.findall(a) != _NUMBER.findall(b):
        return False
    if max(len(a), len(b)) > _DIFFLIB_MAX:
        sa = {a[i : i + 3] for i in range(len(a) - 2)}
        sb = {b[i : i + 3] for i in range(len(b) - 2)}
        return len(sa & sb) >= NEAR_RATIO * len(sa | sb)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= NEAR_RATIO
        and matcher.quick_ratio() >= NEAR_RATIO
        and matcher.ratio() >= NEAR_RATIO
    )


def is_paragraph(line: str, key: str) -> bool:
    """A line whose repetition is a repeated paragraph, not a legitimately recurring short line.

    Short lines, captions, questions (interview questions recur), ``key：value`` lines (the specs
    of two models) and headings without punctuation are not paragraphs here.
    """
    if len(key) < LONG_CHARS or is_caption(line) or (is_question(line) and len(key) < _QUESTION_MAX):
        return False
    if len(key) < _HEADING_MAX and not has_sentence_punct(line):
        return False
    return not (len(key) < _HEADING_MAX and _FIELD.match(line) and not _SENTENCE_END.search(line))


def _neighbours(positions: list[int], i: int) -> tuple[int | None, int | None]:
    """The paragraphs (indexes in ``positions``) right before and after the non-paragraph line ``i``."""
    at = bisect_left(positions, i)
    return (positions[at - 1] if at else None), (positions[at] if at < len(positions) else None)


def _is_title_again(key: str, title_key: str) -> bool:
    """The title with a tag or a site name around it (``[情感] title``, ``title_新闻中心``), or cut short."""
    if title_key in key:
        return len(key) - len(title_key) <= _TITLE_EXTRA
    return len(key) >= _TITLE_CUT_MIN and title_key.startswith(key)


def drop_repeated(lines: list[str], title: str = "") -> tuple[list[str], list[Removal]]:
    """Lines without repeated paragraphs, and what was removed (kind ``repeated_paragraph``)."""
    drop = repeated_lines(lines, title)
    removed = [Removal(line, "repeated_paragraph", drop[i]) for i, line in enumerate(lines) if i in drop]
    return [line for i, line in enumerate(lines) if i not in drop], removed


def repeated_lines(lines: list[str], title: str = "", keys: list[str] | None = None) -> dict[int, str]:
    """Index -> reason of every line :func:`drop_repeated` drops."""
    keys = keys if keys is not None else [line_key(line) for line in lines]
    long = [is_paragraph(line, k) for line, k in zip(lines, keys, strict=True)]
    drop: dict[int, str] = {}
    title_key = line_key(title) if title else ""
    if len(title_key) < _TITLE_MIN_CHARS:
        title_key = ""
    seen: dict[str, int] = {}
    match: dict[int, int] = {}  # dropped paragraph -> the earlier paragraph it repeats
    index: dict[str, list[int]] = {}
    pending: list[int] = []
    for i, key in enumerate(keys):
        if not key:
            continue
        if title_key and i < 3 and key == title_key:
            drop[i] = "title"
            continue
        if key in seen:
            if long[i]:
                drop[i] = "exact"
                match[i] = seen[key]
            else:
                pending.append(i)
            continue
        seen[key] = i
        if not long[i]:
            continue
        probes = [f"^{key[:_AFFIX]}", f"${key[-_AFFIX:]}", *_sentence_keys(lines[i])]
        candidates: list[int] = []
        for probe in probes:
            for c in index.get(probe, ()):
                if c not in candidates:
                    candidates.append(c)
        reason = None
        for c in sorted(candidates)[:_MAX_CANDIDATES]:
            if key in keys[c]:
                reason = "contained"
            elif _similar(key, keys[c]) and min(_tokens(lines[i]), _tokens(lines[c])) >= NEAR_MIN_TOKENS:
                reason = "near"
            else:
                continue
            drop[i], match[i] = reason, c
            break
        if reason is not None:
            continue
        for probe in probes:
            index.setdefault(probe, []).append(i)
    if not any(reason in ("exact", "near") for reason in drop.values()):
        for i in [i for i, reason in drop.items() if reason == "contained"]:
            del drop[i]
            match.pop(i, None)
    long_positions = [i for i, is_long in enumerate(long) if is_long and keys[i]]
    if pending and match:
        # The short lines between two paragraphs belong to both: they sit after one, before the other.
        attached_after: dict[int, set[str]] = {}
        attached_before: dict[int, set[str]] = {}
        previous: int | None = None
        between: set[str] = set()
        is_long_at = set(long_positions)
        for i, key in enumerate(keys):
            if i in is_long_at:
                if previous is not None:
                    attached_after[previous] = between
                attached_before[i] = between
                previous, between = i, set()
            elif key:
                between.add(key)
        if previous is not None:
            attached_after[previous] = between
        for i in pending:
            before, after = _neighbours(long_positions, i)
            # It repeats together with a paragraph: that paragraph's earlier copy has this line beside it too.
            if (after in match and keys[i] in attached_before.get(match[after], ())) or (
                before in match and keys[i] in attached_after.get(match[before], ())
            ):
                drop[i] = "repeated_block"
    if title_key and match:
        # The heading of the second copy: the title again, right above the copy of the first paragraph.
        first = long_positions[0]
        for i, key in enumerate(keys):
            if not key or i in drop or i <= first:
                continue
            at = bisect_right(long_positions, i)
            after = long_positions[at] if at < len(long_positions) else None
            if after is not None and match.get(after) == first and _is_title_again(key, title_key):
                drop[i] = "title"
    runs: list[list[int]] = []  # runs of the same line, one after the other (the lines already dropped skipped)
    for i, key in enumerate(keys):
        if i in drop or not key:
            continue
        if runs and keys[runs[-1][-1]] == key:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) == 2:
            drop[run[1]] = "adjacent"
    return drop
