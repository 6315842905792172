"""Learned boilerplate: lines that recur across many articles of one site.

A footer or promotion line ("关注XX公众号…") that a site prints under every article is found
without a rule: each article's short lines are counted per site in the durable state (how many
distinct articles contained them), and a line seen in at least ``min_articles`` articles is
dropped. These functions are pure; the pipeline reads and writes the counts.

Never learned: captions and photo credits, ``原标题`` lines, list items and very short lines (a
site's articles legitimately share "图片来源：视觉中国" or "1"), and long lines (paragraphs).
If learned lines would take more than half of an article, none is dropped: that article is a
copy of others (syndicated), not mostly boilerplate.
"""

from __future__ import annotations

from hashlib import blake2b

from crawler.cleaning.keys import Removal, is_caption, is_enumerated, line_key
from crawler.extract.byline import original_title

MIN_KEY_CHARS = 4
MAX_KEY_CHARS = 200
MAX_SHARE = 0.5


def _digest(text: str) -> str:
    return blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def learnable(line: str, key: str) -> bool:
    if not MIN_KEY_CHARS <= len(key) <= MAX_KEY_CHARS:
        return False
    return not (is_caption(line) or is_enumerated(line) or original_title(line) is not None)


def line_hashes(lines: list[str]) -> dict[int, str]:
    """Line index -> hash of its key, for the lines that may be learned."""
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        key = line_key(line)
        if learnable(line, key):
            out[i] = _digest(key)
    return out


def article_key(lines: list[str]) -> str:
    """A content hash of the article: the same text under two URLs counts as one article."""
    return _digest("\n".join(line_key(line) for line in lines))


def drop_learned(
    lines: list[str], hashes: dict[int, str], counts: dict[str, int], min_articles: int
) -> tuple[list[str], list[Removal]]:
    """Lines without those seen in at least ``min_articles`` articles of the site."""
    drop = {i for i, digest in hashes.items() if counts.get(digest, 0) >= min_articles}
    if not drop or len(drop) > MAX_SHARE * len(lines):
        return list(lines), []
    rule = f"seen in >= {min_articles} articles of the site"
    removed = [Removal(lines[i], "learned_boilerplate", rule) for i in sorted(drop)]
    return [line for i, line in enumerate(lines) if i not in drop], removed
