"""An in-process state store: for ``scrapy extract``, fixture tests and runs with ``STATE_ENABLED = False``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle


class MemoryStore(StateStore):
    """Everything in dicts; forgotten when the process ends."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._urls: dict[str, str] = {}
        self._content: dict[str, str] = {}
        self._bands: dict[int, list[str]] = defaultdict(list)
        self._signatures: dict[str, bytes] = {}
        self._duplicates: dict[tuple[str, str], DuplicateRecord] = {}
        self._pending: dict[str, dict[str, int]] = defaultdict(dict)  # url -> runs that resumed it
        self._checkpoints: dict[str, int] = {}

    def url_stored(self, url_keys: Iterable[str]) -> str | None:
        return next((self._urls[k] for k in url_keys if k in self._urls), None)

    def content_stored(self, content_hash: str) -> str | None:
        return self._content.get(content_hash) if content_hash else None

    def near_candidates(self, band_keys: Iterable[int], limit: int = 50) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for key in band_keys:
            for url in self._bands.get(key, ()):
                found.setdefault(url, self._signatures.get(url, b""))
                if len(found) >= limit:
                    return found
        return found

    def mark_stored(self, article: StoredArticle) -> None:
        for key in article.url_keys:
            self._urls.setdefault(key, article.url)
        if article.content_hash:
            self._content.setdefault(article.content_hash, article.url)
        if article.url not in self._signatures:
            self._signatures[article.url] = article.signature
            for key in article.band_keys:
                self._bands[key].append(article.url)

    def stored_count(self) -> int:
        return len(self._signatures)

    def record_duplicate(self, record: DuplicateRecord) -> None:
        self._duplicates.pop((record.site, record.url), None)
        self._duplicates[(record.site, record.url)] = record

    def duplicates(self, site: str | None = None, limit: int | None = None) -> list[DuplicateRecord]:
        rows = [r for r in reversed(self._duplicates.values()) if site is None or r.site == site]
        return rows[:limit] if limit is not None else rows

    def add_pending(self, site: str, urls: Iterable[str]) -> None:
        for url in urls:
            self._pending[site].setdefault(url, 0)

    def remove_pending(self, site: str, urls: Iterable[str]) -> None:
        for url in urls:
            self._pending[site].pop(url, None)

    def pending(self, site: str) -> list[str]:
        return list(self._pending.get(site, {}))

    def resume_pending(self, site: str, max_attempts: int = 0) -> tuple[list[str], list[str]]:
        urls = self._pending.get(site, {})
        dropped = [u for u, n in urls.items() if max_attempts > 0 and n >= max_attempts]
        for url in dropped:
            del urls[url]
        for url in urls:
            urls[url] += 1
        return list(urls), dropped

    def get_checkpoint(self, name: str) -> int:
        return self._checkpoints.get(name, 0)

    def set_checkpoint(self, name: str, value: int) -> None:
        self._checkpoints[name] = value

    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        return {key: len(self._lines.get((site, key), ())) for key in keys}

    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        for key in keys:
            self._lines[(site, key)].add(article_key)
