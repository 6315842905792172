"""Article or listing: a page of teasers must not become an article.

A listing (a blog's archive, a section index with excerpts) shows several posts, each a linked
headline followed by its teaser. When the body the generic extractor chose holds the teasers of at
least ``MIN_POSTS`` such entries (a heading line that is mostly a link, followed within three lines
by a text of at least ``TEASER_TOKENS`` tokens that is not a link), the teasers are short (their
median at most ``TEASER_MAX_TOKENS`` tokens: a listicle's sections under linked headings are longer)
and they make at least ``MIN_SHARE`` of the body, the page is a listing: the generic path gives it
no body and says why. An article with a "related posts" block is not one: that block sits outside
its body, or is too small a share of it. Neither is a listicle: when the linked headings are numbered
in order ("1. Drake", "2. Kim Possible", or counting down), they are one article's sections.

Thresholds decided on the tune half of the corpus. Of its 3,790 labelled pages, 7 are listings by
this rule (a section front, a home page of teasers, a forum index); the labels keep their teasers as
content, which a corpus of articles does not want.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

MIN_POSTS = 5
MIN_SHARE = 0.6
TEASER_TOKENS = 15
TEASER_MAX_TOKENS = 60
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_NUMBER = re.compile(r"\s*#?\s*(\d{1,3})\s*[.)、．:：]")


def listing_reason(span: list[Any], body: list[Any]) -> str | None:
    """Why the body is a list of posts, or None for an article.

    ``span`` is the page's lines (``generic.PageLine``) from the body's first line to its last,
    ``body`` the chosen lines: a post counts when its teaser is in the body.
    """
    chosen = {line.index for line in body}
    total = sum(line.tokens for line in body) or 1
    posts = 0
    covered = 0.0
    sizes = []
    headings = []
    for i, line in enumerate(span):
        if line.tag not in _HEADINGS or line.link < 0.6 or line.tokens < 2:
            continue
        teaser = next((nxt for nxt in span[i + 1:i + 4] if nxt.link < 0.3 and nxt.tokens >= TEASER_TOKENS), None)
        if teaser is not None and teaser.index in chosen:
            posts += 1
            covered += teaser.tokens + (line.tokens if line.index in chosen else 0)
            sizes.append(teaser.tokens)
            headings.append(line.text)
    short = sorted(sizes)[len(sizes) // 2] <= TEASER_MAX_TOKENS if sizes else False
    if posts >= MIN_POSTS and short and covered >= MIN_SHARE * total and not numbered_in_order(headings):
        return f"a list of {posts} posts (linked headlines with teasers), not one article"
    return None


def numbered_in_order(headings: list[str]) -> bool:
    """Whether most headings start with a number, counting up or down by one: a listicle's items."""
    if not headings:
        return False
    numbers = [int(m.group(1)) for text in headings if (m := _NUMBER.match(text))]
    if len(numbers) < 0.8 * len(headings):
        return False
    steps = [b - a for a, b in pairwise(numbers)]
    return max(steps.count(1), steps.count(-1)) >= 0.8 * len(steps)
