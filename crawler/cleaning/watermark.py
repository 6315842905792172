"""Automatic watermarks: a line (or a clause inside lines) that recurs in one article.

A line or clause seen three or more times in an article (after normalisation) is a candidate.
It is a watermark unless it is a legitimately repeated line, for a reason we can name:

- ``short``: three characters or fewer ("1", "同上"): table cells and numbers, not slogans;
- ``question``: ends with a question mark (the questions of an interview, asked of each guest);
- ``enumerated``: starts like a list item ("1、", "（一）", "第二章");
- ``caption``: a photo credit or caption (kept in the body by convention);
- ``label``: ends with a colon, it introduces what follows;
- ``sparse_heading``: a short heading without punctuation ("专家点评") whose occurrences are far
  apart (a median of ``SPARSE_GAP`` or more distinct lines between them): a section heading repeated
  for each section. A slogan is inserted every few paragraphs.
- ``duplicated_copy``: it recurs only because the article (or a block of it) is repeated, which
  the repeated-paragraph step handles (a slogan as long as a paragraph, whose later copies that step
  drops, is judged on its copies beside kept lines: see ``_long_slogan_share``);
- ``data``: it holds a date or time ("Mon 18th Dec 2006", "2019-09-05 11:10"), or is mostly digits (a
  price, a phone number): entries of a list, never a slogan;
- ``field``: a ``key: value`` line ("Job type: Full time", "Estimate: $8,000"), the field of
  repeated records, unless it holds no number and nearly every occurrence stands beside a
  paragraph (a slogan "小编推荐：每日新闻早知道" inserted after each one);
- ``list_entry``: it does not stand among paragraphs: at most half of its occurrences have a
  paragraph (a long line with sentence punctuation) on one side and running text (not a table row
  or a number) on the other. A slogan is inserted into running
  text; a line recurring among short lines is an entry of a list or a table ("by Date", "SOLD", a
  gallery's caption). Unless it stands after every new line, or right after (or before) three
  quarters or more of the article's paragraphs (a slogan inserted at each paragraph of a short
  article, which skips its caption and its credit line);
- ``series``: other short lines of the article start like it but say something else ("by Taco Cowboy"
  among "by matunos", "by cold fjord": the bylines of comments);
- ``clause_list``: a clause found only inside lines that does not end a sentence (an item of an
  inline list such as "Education; Middle Schools;"), unless it closes every line it is in, after a
  finished sentence (a slogan glued to the end of each paragraph).

Occurrences are counted among the lines the repeated-paragraph step keeps, as runs (occurrences
with no newly seen line between them count once), so a repeated article does not make its
headings look like watermarks. Gaps are counted in newly seen lines. A watermark is cut
out everywhere: as a whole line, and inline where it is embedded in a paragraph.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise

from crawler.cleaning.keys import (
    SLOGAN_OCCURRENCES,
    Removal,
    has_sentence_punct,
    is_caption,
    is_enumerated,
    is_label,
    is_question,
    line_key,
    sentence_keys,
)
from crawler.cleaning.repeats import is_paragraph, repeated_lines
from crawler.cleaning.rules import _literal_pattern

SPARSE_GAP = 5
EVERY_LINE_RUNS = 5  # a line standing after each of this many new lines in a row
EVERY_PARAGRAPH = 0.75  # a line standing after (or before) this share of an article's paragraphs
FIELD_BESIDE_TEXT = 0.6  # a key: value line between paragraphs this often is an inserted slogan
HEADING_MAX_CHARS = 12
INLINE_MIN_CHARS = 5
_CLAUSE_MIN_CHARS = 6
_CLAUSE = re.compile(r"[^。！？!?；;…]+[。！？!?；;…]*")
_DATA = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}\s*[:：]\s*\d{2}"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}",
    re.I,
)
_FIELD = re.compile(r"^[^:：。，,!?！？]{1,30}[:：]\s*\S")
_CAPTION_EN = re.compile(
    r"^(?:photo|photograph|image|picture|credit|source|courtesy|getty images|reuters|ap photo)s?\b", re.I)
_PARAGRAPH_CHARS = 20
_SENTENCE_END = frozenset("。！？!?…")
_SERIES_MAX_CHARS = 80
_FIRST = re.compile(r"[\u3400-\u9fff]{2}|[^\W\d_]+")


@dataclass(frozen=True)
class Watermark:
    """A watermark of one article; ``inline``: also cut where it is embedded in a paragraph."""

    key: str
    text: str
    pattern: re.Pattern[str]
    inline: bool = True


def clauses(line: str) -> list[str]:
    """The clauses of a line: split after sentence-ending punctuation."""
    return [stripped for part in _CLAUSE.findall(line) if (stripped := part.strip())]


def _clause_text(line: str, key: str) -> str:
    for part in clauses(line):
        if line_key(part) == key:
            return part
    return key


def keep_reason(text: str, key: str, gaps: list[int], beside_text: float = 1.0, series: bool = False,
                touching: float | None = None, paragraphs: float = 0.0) -> str | None:
    """Why a recurring line is legitimate, or None when it is a watermark.

    ``beside_text`` is the share of its occurrences between paragraphs, ``touching`` the share with a
    paragraph on at least one side (default: ``beside_text``); ``series``: other short lines of the
    article start like it; ``paragraphs``: the share of the article's paragraphs it stands right after
    (or right before, whichever is more).
    """
    touching = beside_text if touching is None else touching
    if len(key) <= 3:
        return "short"
    if is_question(text):
        return "question"
    if is_enumerated(text):
        return "enumerated"
    if is_caption(text) or _CAPTION_EN.match(text.strip()):
        return "caption"
    if is_label(text):
        return "label"
    if _DATA.search(text) or sum(ch.isdigit() for ch in key) * 2 > len(key):
        return "data"
    # after every single line, some of them paragraphs: inserted into the text, whatever stands beside it
    # (a subheading and its paragraph, each followed by the slogan, give it a paragraph on one side only)
    after_each = len(gaps) + 1 >= EVERY_LINE_RUNS and sorted(gaps)[len(gaps) // 2] == 1 and touching > 0.25
    # or after (before) nearly every paragraph, whatever short lines (captions, subheadings) it skips
    after_each = after_each or paragraphs >= EVERY_PARAGRAPH
    if beside_text <= 0.5 and not after_each:
        return "list_entry"
    if _FIELD.match(text.strip()) and ((beside_text < FIELD_BESIDE_TEXT and not after_each)
                                       or any(ch.isdigit() for ch in text)):
        return "field"
    if series:
        return "series"
    if len(key) <= HEADING_MAX_CHARS and not has_sentence_punct(text) and gaps:
        ordered = sorted(gaps)
        if ordered[len(ordered) // 2] >= SPARSE_GAP:
            return "sparse_heading"
    return None


def _first_word(text: str) -> str:
    m = _FIRST.search(text.casefold())
    return m.group(0) if m else ""


def _in_series(text: str, key: str, lines: list[str], keys: list[str]) -> bool:
    """Two other short lines start with the same word as ``text`` and say something else."""
    first = _first_word(text)
    if not first or len(text) > _SERIES_MAX_CHARS:
        return False
    others = {k for line, k in zip(lines, keys, strict=True)
              if k and k != key and len(line) <= _SERIES_MAX_CHARS and key not in k and _first_word(line) == first}
    return len(others) >= 2


def _appended(key: str, lines: list[str]) -> bool:
    """Whether the clause closes each of these lines, after a finished sentence: a slogan glued to the end of
    every paragraph ("……合龙。每日新闻早知道"), not an item of an inline list ("Education; Middle Schools;")."""
    for line in lines:
        parts = clauses(line)
        if len(parts) < 2 or line_key(parts[-1]) != key or parts[-2].rstrip()[-1:] not in _SENTENCE_END:
            return False
    return True


def _long_slogan_share(key: str, keys: list[str], repeats: dict[int, str], long: set[int],
                       filled: list[int], place_of: dict[int, int], where: list[int]) -> float:
    """The share of the article's paragraphs that a sentence-long line stands right after (or before), counting
    its copies that the repeat step drops but that stand beside a kept line; 0 when it has fewer than
    ``SLOGAN_OCCURRENCES`` runs so counted.

    The repeat step keeps the first copy of a long slogan ("本文来源于…，如有侵权请联系删除。" after every
    paragraph) and drops the others, so it has one occurrence among kept lines. A paragraph printed again in
    a repeated block has none of its copies beside a kept line; a long line repeated in a document (a
    wrapped sentence, a signature) does not stand at three quarters of the paragraphs from its first copy
    to its last.
    """
    at: list[int] = []
    for i in where:
        n = place_of[i]
        beside_kept = any(0 <= m < len(filled) and filled[m] not in repeats and keys[filled[m]] != key
                          for m in (n - 1, n + 1))
        if i not in repeats or beside_kept:
            at.append(i)
    if len(at) < SLOGAN_OCCURRENCES:  # fewer runs still (the usual case: a paragraph of a repeated article)
        return 0.0
    others = [i for i in filled if i not in repeats and keys[i] != key]
    sequence = sorted({*others, *at})
    mine = set(at)
    runs = sum(1 for n, i in enumerate(sequence) if i in mine and (n == 0 or sequence[n - 1] not in mine))
    if runs < SLOGAN_OCCURRENCES:
        return 0.0
    place = {i: n for n, i in enumerate(sequence)}
    # the paragraphs of the stretch it is inserted into (a forum's or a portal's furniture after it is not)
    lo, hi = place[at[0]] - 1, place[at[-1]] + 1
    paragraphs = [i for i in others if i in long and lo <= place[i] <= hi]
    if not paragraphs:
        return 0.0
    after = sum(1 for i in paragraphs if place[i] + 1 < len(sequence) and sequence[place[i] + 1] in mine)
    before = sum(1 for i in paragraphs if place[i] > 0 and sequence[place[i] - 1] in mine)
    return max(after, before) / len(paragraphs)


def find_watermarks(lines: list[str], keys: list[str] | None = None) -> tuple[list[Watermark], dict[str, str]]:
    """The watermarks of an article, and the reason each other recurring line was kept."""
    keys = keys if keys is not None else [line_key(line) for line in lines]
    whole = Counter(k for k in keys if k)
    # Clauses inside longer lines: an embedded slogan recurs as a clause.
    # (The first copy of each line only: a paragraph printed again with its slogan is left to the repeat step.)
    clause_lines: dict[str, set[int]] = defaultdict(set)
    first: set[str] = set()
    for i, line in enumerate(lines):
        if keys[i] in first:
            continue
        first.add(keys[i])
        if keys[i] and whole[keys[i]] < SLOGAN_OCCURRENCES and len(keys[i]) > _CLAUSE_MIN_CHARS:
            parts = sentence_keys(line)
            if len(parts) < 2:
                continue
            for ck in parts:
                if len(ck) >= _CLAUSE_MIN_CHARS:
                    clause_lines[ck].add(i)
    candidates: dict[str, str] = {}
    for key, n in whole.items():
        if n + len(clause_lines.get(key, ())) >= SLOGAN_OCCURRENCES:
            candidates[key] = lines[keys.index(key)]
    listed: set[str] = set()
    for ck, where in clause_lines.items():
        if ck not in candidates and len(where) + whole.get(ck, 0) >= SLOGAN_OCCURRENCES:
            candidates[ck] = _clause_text(lines[min(where)], ck)
            if candidates[ck].rstrip()[-1:] not in _SENTENCE_END and not _appended(ck, [lines[i] for i in where]):
                listed.add(ck)
    if not candidates:
        return [], {}
    # Occurrences the repeat step will drop (a copy of the article, a heading printed twice) are
    # not counted, and occurrences with no new line between them merge into one run: a line that
    # recurs only because (part of) the article is printed again is left to the repeat step.
    # Counting on what the repeat step keeps also makes the whole chain idempotent.
    repeats = repeated_lines(lines, keys=keys)
    line_clauses: dict[int, list[str]] = defaultdict(list)
    for ck, where in clause_lines.items():
        if ck in candidates:
            for i in where:
                if i not in repeats:
                    line_clauses[i].append(ck)
    # What stands beside each occurrence: a paragraph (a long line with sentence punctuation) or not.
    kept_at = [i for i, key in enumerate(keys) if key and i not in repeats]
    long = {i for i in kept_at if len(keys[i]) >= _PARAGRAPH_CHARS and has_sentence_punct(lines[i])}
    # a short line of running text (a subheading, a one-sentence paragraph), not a table row or a number
    prose = {i for i in kept_at if i in long or ((has_sentence_punct(lines[i]) or len(keys[i]) >= _PARAGRAPH_CHARS)
             and sum(ch.isdigit() for ch in keys[i]) * 4 < len(keys[i]))}
    beside: dict[str, list[bool]] = defaultdict(list)
    touches: dict[str, list[bool]] = defaultdict(list)
    follows: Counter[str] = Counter()  # candidate -> paragraphs it stands right after
    precedes: Counter[str] = Counter()
    for n, i in enumerate(kept_at):
        key = keys[i]
        hits = [key] if key in candidates else []
        hits += line_clauses.get(i, [])
        if not hits:
            continue
        near = [j for j in (kept_at[n - 1] if n else None, kept_at[n + 1] if n + 1 < len(kept_at) else None)
                if j is not None]
        others = [j for j in near if keys[j] != key]
        by_text = ((bool(others) and any(j in long for j in others) and all(j in prose for j in others))
                   or bool(line_clauses.get(i)))
        touch = by_text or any(j in long for j in others)
        if n and kept_at[n - 1] in long and key in candidates:
            follows[key] += 1
        if n + 1 < len(kept_at) and kept_at[n + 1] in long and key in candidates:
            precedes[key] += 1
        for hit in hits:
            beside[hit].append(by_text)
            touches[hit].append(touch)
    seen: set[str] = set()
    runs: dict[str, list[int]] = defaultdict(list)  # candidate -> position of each run (new lines seen before it)
    last_seen_at: dict[str, int] = {}
    position = 0
    for i, key in enumerate(keys):
        if not key or i in repeats:
            continue
        if key in candidates and (key not in last_seen_at or position > last_seen_at[key]):
            runs[key].append(position)
        for ck in line_clauses.get(i, ()):
            runs[ck].append(position)
        if key not in seen:
            seen.add(key)
            position += 1
        if key in candidates:
            last_seen_at[key] = position
    marks: list[Watermark] = []
    kept: dict[str, str] = {}
    filled = [i for i, key in enumerate(keys) if key]
    place_of = {i: n for n, i in enumerate(filled)}
    occurrences: dict[str, list[int]] = defaultdict(list)
    for i in filled:
        if keys[i] in candidates:
            occurrences[keys[i]].append(i)
    for key, text in candidates.items():
        positions = runs.get(key, [])
        if len(positions) < SLOGAN_OCCURRENCES:
            # a sentence-long slogan: the repeat step keeps its first copy only (see _long_slogan_share)
            share = (_long_slogan_share(key, keys, repeats, long, filled, place_of, occurrences[key])
                     if key in occurrences and is_paragraph(text, key) else 0.0)
            reason = "duplicated_copy" if share < EVERY_PARAGRAPH else keep_reason(text, key, [], paragraphs=share)
        else:
            gaps = [b - a for a, b in pairwise(positions)]
            sides = beside.get(key) or [True]
            touched = touches.get(key) or [True]
            paragraphs = sum(1 for i in long if keys[i] != key)
            share = max(follows[key], precedes[key]) / paragraphs if paragraphs else 0.0
            reason = "clause_list" if key in listed else keep_reason(
                text, key, gaps, sum(sides) / len(sides), _in_series(text, key, lines, keys),
                sum(touched) / len(touched), share)
        if reason is None:
            # Cut inline only a slogan-sized text that is embedded less often than it stands alone:
            # a repeated heading that names a thing ("iPhone 11") is mentioned all over the text.
            # (A clause found only inside paragraphs is cut there: it was found as a separate sentence.)
            inline = len(key) >= INLINE_MIN_CHARS and (
                not whole.get(key) or sum(1 for k in keys if key in k and k != key) <= whole[key]
            )
            marks.append(Watermark(key, text, _literal_pattern(text), inline))
        else:
            kept[key] = reason
    marks.sort(key=lambda mark: -len(mark.key))
    return marks, kept


def _cut(pattern: re.Pattern[str], line: str) -> str:
    """Cut every match; a space stays only where it separated two Latin words or numbers."""

    def joint(m: re.Match[str]) -> str:
        before, after = line[m.start() - 1 : m.start()], line[m.end() : m.end() + 1]
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""

    return re.sub(r"\s{2,}", " ", pattern.sub(joint, line)).strip()


def cut_watermarks(line: str, marks: list[Watermark], removed: list[Removal] | None = None) -> str:
    """The line without any watermark in it ("" when nothing else is left)."""
    key = line_key(line)
    for mark in marks:
        if key == mark.key:
            if removed is not None:
                removed.append(Removal(line, "watermark", f"auto:{mark.text}"))
            return ""
        if not mark.inline or mark.key not in key:
            continue
        rest = _cut(mark.pattern, line)
        if rest == line:
            continue
        if not line_key(rest):
            if removed is not None:
                removed.append(Removal(line, "watermark", f"auto:{mark.text}"))
            return ""
        if removed is not None:
            rule = f"auto-inline:{mark.text}"
            removed.extend(Removal(m.group(0), "watermark", rule) for m in mark.pattern.finditer(line))
        line, key = rest, line_key(rest)
    return line


def strip_watermarks(lines: list[str]) -> tuple[list[str], list[Removal], list[Watermark]]:
    """Lines without automatic watermarks, what was removed, and the watermarks found.

    Runs to a fixed point (at most three rounds), so running it again changes nothing.
    """
    removed: list[Removal] = []
    found: list[Watermark] = []
    for _ in range(3):
        marks, _kept = find_watermarks(lines)
        if not marks:
            break
        found.extend(marks)
        lines = [out for line in lines if (out := cut_watermarks(line, marks, removed))]
    return lines, removed, found
