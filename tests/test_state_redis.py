"""RedisStore against a real redis-server: the same contract as the SQLite store, shared between clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy.settings import Settings

from crawler.state import open_store
from crawler.state.base import StoredArticle
from crawler.state.minhash import Fingerprinter
from crawler.state.redis import RedisStore
from tests.dedup_texts import WIRE_STORY, changed_characters
from tests.test_distributed import redis_server  # noqa: F401 - fixture
from tests.test_state_sqlite import (  # noqa: F401 - the shared contract, run here against Redis
    test_duplicates_pending_checkpoints_lines,
    test_resume_pending_counts_attempts_and_drops_stale,
    test_stored_articles,
)


@pytest.fixture
def store(redis_server: str) -> Iterator[RedisStore]:  # noqa: F811
    s = RedisStore.from_url(redis_server)
    s.redis.flushdb()
    yield s
    s.close()


def _article(url: str, text: str, site: str = "s") -> StoredArticle:
    fp = Fingerprinter().fingerprint(text)
    return StoredArticle(site=site, url=url, url_keys=(url,), content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature)


def test_two_workers_share_one_state(store: RedisStore, redis_server: str) -> None:  # noqa: F811
    other = RedisStore.from_url(redis_server)
    art = _article("http://a/1", WIRE_STORY)
    store.mark_stored(art)
    assert other.url_stored(["http://a/1"]) == "http://a/1"
    assert other.content_stored(art.content_hash) == "http://a/1"
    near = Fingerprinter().fingerprint(changed_characters(WIRE_STORY, 0.05))
    assert other.near_candidates(near.band_keys) == {"http://a/1": art.signature}
    # the same article reached under a second URL: its keys point at the first stored URL
    other.mark_stored(StoredArticle(site="s", url="http://m/1", url_keys=("http://m/1", "http://a/1"),
                                    content_hash=art.content_hash))
    assert store.url_stored(["http://m/1"]) == "http://a/1"
    assert store.stored_count() == 1
    other.record_lines("s", "art1", ["l1"])
    store.record_lines("s", "art1", ["l1"])  # another worker counting the same article: counted once
    assert store.line_counts("s", ["l1"]) == {"l1": 1}
    other.close()


def test_prefix_separates_states(store: RedisStore, redis_server: str) -> None:  # noqa: F811
    store.mark_stored(_article("http://a/1", WIRE_STORY))
    other = RedisStore.from_url(redis_server, prefix="other")
    assert other.url_stored(["http://a/1"]) is None
    other.close()


def test_open_store_picks_redis(redis_server: str) -> None:  # noqa: F811
    store = open_store(Settings({"REDIS_URL": redis_server, "STATE_REDIS_PREFIX": "t"}))
    assert isinstance(store, RedisStore) and store.prefix == "t"
    store.close()
