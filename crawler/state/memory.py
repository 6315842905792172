"""An in-process state store: for ``scrapy extract``, fixture tests and runs with ``STATE_ENABLED = False``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from crawler.state.base import StateStore


class MemoryStore(StateStore):
    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], set[str]] = defaultdict(set)

    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        return {key: len(self._lines.get((site, key), ())) for key in keys}

    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        for key in keys:
            self._lines[(site, key)].add(article_key)
