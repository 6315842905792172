"""Drops an article already stored: same URL, same body, or a near-duplicate body."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.state.base import DuplicateRecord, StoredArticle
from crawler.state.minhash import estimate_jaccard
from crawler.state.tracking import ArticleState, article_state

logger = logging.getLogger(__name__)


class DeduplicateArticlesPipeline:
    """Checks, in order, the item's URL keys (URL, rel=canonical and requested URL in canonical form),
    the exact hash of its normalised body, and its MinHash bands against the stored articles
    (and those in flight between this pipeline and the store). A duplicate is dropped with one
    log line (the DropItem message, at INFO), the stat ``dedup/url``, ``dedup/exact`` or
    ``dedup/near_duplicate``, and a ``DuplicateRecord`` naming the stored article
    (``scrapy duplicates`` lists them).

    This pipeline never marks an article stored: StoreJsonlPipeline does, after the line is
    flushed. Settings: ``DEDUP_ENABLED`` (True), ``DEDUP_NEAR_THRESHOLD`` (0.5) and the others
    read by ``crawler.state.tracking``; spider attribute ``mobile_hosts``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        self.crawler = crawler
        self.state: ArticleState = article_state(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicateArticlesPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        found = self.find_duplicate(item)
        if found is None:
            self.state.hold(item)
            return item
        kind, duplicate_of, similarity = found
        adapter = ItemAdapter(item)
        url = str(adapter.get("url"))
        self.crawler.stats.inc_value(f"dedup/{kind}")
        self.state.store.record_duplicate(DuplicateRecord(
            site=str(adapter.get("site") or self.state.site), url=url, kind=kind, duplicate_of=duplicate_of,
            similarity=round(similarity, 3), at=datetime.now(UTC).isoformat(timespec="seconds")))
        keys = self.state.item_keys(item)
        self.state.forget(item, remove_pending=True)  # a duplicate is a final verdict
        self.remember_alias(keys, str(adapter.get("site") or self.state.site), duplicate_of)
        detail = f" (similarity {similarity:.2f})" if kind == "near_duplicate" else ""
        raise DropItem(f"Duplicate ({kind}) of {duplicate_of}{detail}: {url}", log_level="INFO")

    def remember_alias(self, keys: tuple[str, ...], site: str, duplicate_of: str) -> None:
        """The duplicate's URLs now lead to the stored article: the next run skips them before download."""
        stored_keys = self.state.keys_for_urls(duplicate_of)
        store = self.state.store
        if store.url_stored(stored_keys) is None:
            return  # the original is still in flight, not stored yet
        store.mark_stored(StoredArticle(site=site, url=duplicate_of, url_keys=(*stored_keys, *keys)))

    def find_duplicate(self, item: Any) -> tuple[str, str, float] | None:
        """(kind, URL of the stored article, similarity) or None for a new article."""
        store, state = self.state.store, self.state
        keys = state.item_keys(item)
        hit = store.url_stored(keys) or state.in_flight_url(keys)
        if hit:
            return "url", hit, 1.0
        fp = state.fingerprint(item)
        if fp is None:
            return None
        hit = store.content_stored(fp.content_hash) or state.in_flight_content(fp.content_hash)
        if hit:
            return "exact", hit, 1.0
        if fp.band_keys:
            best: tuple[float, str] | None = None
            for url, signature in store.near_candidates(fp.band_keys).items():
                similarity = estimate_jaccard(fp.signature, signature)
                if similarity >= state.fingerprinter.threshold and (best is None or similarity > best[0]):
                    best = (similarity, url)
            if best:
                return "near_duplicate", best[1], best[0]
        return None
