"""The per-crawl glue between the store and the components that share it.

``article_state(crawler)`` gives one ``ArticleState`` per crawler, used by
IncrementalMiddleware, PendingArticlesMiddleware, DeduplicateArticlesPipeline and
StoreJsonlPipeline. It knows the dedup settings, computes an item's URL keys and
fingerprint once, remembers which pending URL an item came from, and holds the keys of
items that passed dedup but are not stored yet (so two copies in flight at once are still
caught). Only ``mark_stored`` (called by the store pipeline after the line is flushed)
makes an article count as stored.

Settings: ``DEDUP_SHINGLE`` (4), ``DEDUP_NUM_PERM`` (128), ``DEDUP_BANDS`` (32),
``DEDUP_NEAR_THRESHOLD`` (0.5), ``DEDUP_MIN_CHARS`` (50: shorter normalised bodies skip
the near-duplicate check). Spider attribute: ``mobile_hosts`` (``{"m.site.com": "www.site.com"}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from itemadapter import ItemAdapter
from scrapy import signals

from crawler.items import join_lines
from crawler.state import get_store
from crawler.state.base import StateStore, StoredArticle
from crawler.state.minhash import Fingerprint, Fingerprinter, hash_normalised, normalise_body
from crawler.urls import url_keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_STATES: WeakKeyDictionary[Crawler, ArticleState] = WeakKeyDictionary()


@dataclass
class InFlight:
    url: str
    keys: tuple[str, ...]
    content_hash: str


@dataclass
class ArticleState:
    crawler: Crawler
    fingerprinter: Fingerprinter
    min_chars: int = 50
    pending_of: dict[int, str] = field(default_factory=dict)  # id(item) -> pending URL
    _fingerprints: dict[int, tuple[Any, Fingerprint | None]] = field(default_factory=dict)  # item kept: no id reuse
    _in_flight: dict[int, InFlight] = field(default_factory=dict)

    @property
    def store(self) -> StateStore:
        return get_store(self.crawler)

    @property
    def site(self) -> str:
        return self.crawler.spider.name if self.crawler.spider else ""

    @property
    def mobile_hosts(self) -> dict[str, str]:
        return dict(getattr(self.crawler.spider, "mobile_hosts", None) or {})

    @property
    def full(self) -> bool:
        return bool(getattr(self.crawler.spider, "full", False))

    def keys_for_urls(self, *urls: str | None) -> tuple[str, ...]:
        return url_keys(urls, self.mobile_hosts)

    def item_keys(self, item: Any) -> tuple[str, ...]:
        adapter = ItemAdapter(item)
        return self.keys_for_urls(adapter.get("url"), adapter.get("canonical_url"), self.pending_of.get(id(item)))

    def fingerprint(self, item: Any) -> Fingerprint | None:
        """Exact hash, signature and bands of the item's body (signature empty below ``min_chars``)."""
        cached = self._fingerprints.get(id(item))
        if cached is not None and cached[0] is item:
            return cached[1]
        body = join_lines(ItemAdapter(item).get("body") or "")  # a list of paragraphs, or a stored line's text
        fp: Fingerprint | None = None
        if body.strip():
            normalised = normalise_body(body)
            if len(normalised) < self.min_chars:
                fp = Fingerprint(hash_normalised(normalised), b"", ())
            else:
                fp = self.fingerprinter.fingerprint_normalised(normalised)
        self._fingerprints[id(item)] = (item, fp)
        return fp

    # In-flight items (passed dedup, not stored yet) ------------------------------------

    def hold(self, item: Any) -> None:
        fp = self.fingerprint(item)
        self._in_flight[id(item)] = InFlight(str(ItemAdapter(item).get("url")), self.item_keys(item),
                                             fp.content_hash if fp else "")

    def in_flight_url(self, keys: tuple[str, ...]) -> str | None:
        wanted = set(keys)
        return next((f.url for f in self._in_flight.values() if wanted.intersection(f.keys)), None)

    def in_flight_content(self, content_hash: str) -> str | None:
        return next((f.url for f in self._in_flight.values() if content_hash and f.content_hash == content_hash),
                    None)

    # Outcomes ---------------------------------------------------------------------------

    def mark_stored(self, item: Any) -> None:
        """After the JSONL line is flushed: remember the article, forget its pending URL."""
        adapter = ItemAdapter(item)
        fp = self.fingerprint(item)
        site = str(adapter.get("site") or self.site)
        self.store.mark_stored(StoredArticle(
            site=site, url=str(adapter.get("url")), url_keys=self.item_keys(item),
            content_hash=fp.content_hash if fp else "", band_keys=fp.band_keys if fp else (),
            signature=fp.signature if fp else b""))
        self.forget(item, remove_pending=True)

    def forget(self, item: Any, remove_pending: bool) -> None:
        key = id(item)
        pending = self.pending_of.pop(key, None)
        self._fingerprints.pop(key, None)
        self._in_flight.pop(key, None)
        if remove_pending and pending:
            self.store.remove_pending(self.site, [pending])

    def _item_dropped(self, item: Any, **kwargs: Any) -> None:
        self.forget(item, remove_pending=True)  # dropped by a pipeline: a definitive rejection

    def _item_error(self, item: Any, **kwargs: Any) -> None:
        self.forget(item, remove_pending=False)  # a bug, not a verdict: fetch it again next run


def article_state(crawler: Crawler) -> ArticleState:
    state = _STATES.get(crawler)
    if state is None:
        s = crawler.settings
        fingerprinter = Fingerprinter(
            shingle=s.getint("DEDUP_SHINGLE", 4), num_perm=s.getint("DEDUP_NUM_PERM", 128),
            bands=s.getint("DEDUP_BANDS", 32), threshold=s.getfloat("DEDUP_NEAR_THRESHOLD", 0.5))
        state = _STATES[crawler] = ArticleState(crawler, fingerprinter, s.getint("DEDUP_MIN_CHARS", 50))
        crawler.signals.connect(state._item_dropped, signal=signals.item_dropped, weak=False)
        crawler.signals.connect(state._item_error, signal=signals.item_error, weak=False)
    return state
