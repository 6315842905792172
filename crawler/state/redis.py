"""The state of a fleet of workers in one Redis database: every worker sees every stored article.

Layout (``<p>`` is ``STATE_REDIS_PREFIX``, default ``state``; URL keys and content hashes are
stored as 8-byte BLAKE2b digests, like the SQLite backend's 64-bit keys):

- ``<p>:urls`` hash: URL key -> URL of the stored article; ``<p>:content`` hash: content
  hash -> URL; ``<p>:signatures`` hash: URL -> MinHash signature (one field per article);
- ``<p>:band:<band key>`` set of URLs sharing that near-duplicate LSH band;
- ``<p>:dup`` hash ``site NUL url`` -> JSON record, ordered by ``<p>:dup:at`` and
  ``<p>:dup:at:<site>`` sorted sets (score: the record's time);
- ``<p>:pending:<site>`` sorted set (score: arrival order from ``<p>:pending:seq``) and
  ``<p>:pending:<site>:attempts`` hash URL -> runs that resumed it;
- ``<p>:checkpoints`` hash; ``<p>:lines:<site>`` hash line key -> count and
  ``<p>:lines:<site>:articles`` set of the articles already counted.

``mark_stored`` and ``record_lines`` are Lua scripts, so two workers storing at once never
half-write an article or count one twice. Settings: ``REDIS_URL``, ``STATE_REDIS_PREFIX``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis

from crawler.state.base import DuplicateRecord, StateStore, StoredArticle

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# KEYS[1] urls, KEYS[2] content, KEYS[3] signatures, KEYS[4..] band sets
# ARGV[1] url, ARGV[2] signature, ARGV[3] content key ('' for none), ARGV[4..] url keys
MARK_STORED = """
local existing = false
for i = 4, #ARGV do
  existing = redis.call('HGET', KEYS[1], ARGV[i])
  if existing then break end
end
local target = existing or ARGV[1]
if not existing then
  redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2])
  for i = 4, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
end
for i = 4, #ARGV do redis.call('HSETNX', KEYS[1], ARGV[i], target) end
if ARGV[3] ~= '' then redis.call('HSETNX', KEYS[2], ARGV[3], target) end
return target
"""

# KEYS[1] counted articles set, KEYS[2] line counts hash; ARGV[1] article key, ARGV[2..] line keys
RECORD_LINES = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 2, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
return 1
"""

# KEYS[1] pending set, KEYS[2] sequence; ARGV urls -> number added
ADD_PENDING = """
local added = 0
for i = 1, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[i])
    added = added + 1
  end
end
return added
"""


# KEYS[1] pending set, KEYS[2] attempts hash; ARGV[1] max attempts (0: no limit) -> {kept, dropped}
RESUME_PENDING = """
local kept, dropped = {}, {}
for _, url in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local n = tonumber(redis.call('HGET', KEYS[2], url) or '0')
  if tonumber(ARGV[1]) > 0 and n >= tonumber(ARGV[1]) then
    redis.call('ZREM', KEYS[1], url)
    redis.call('HDEL', KEYS[2], url)
    table.insert(dropped, url)
  else
    redis.call('HSET', KEYS[2], url, n + 1)
    table.insert(kept, url)
  end
end
return {kept, dropped}
"""


def key64(key: str) -> bytes:
    """A string key as 8 bytes of BLAKE2b (the SQLite backend stores the same digest as an integer)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _epoch(at: str) -> float:
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


class RedisStore(StateStore):
    """``StateStore`` in Redis, shared by every worker of a distributed crawl."""

    def __init__(self, client: redis.Redis, prefix: str = "state") -> None:
        self.redis = client
        self.prefix = prefix
        self._mark = client.register_script(MARK_STORED)
        self._lines = client.register_script(RECORD_LINES)
        self._pending = client.register_script(ADD_PENDING)
        self._resume = client.register_script(RESUME_PENDING)

    @classmethod
    def from_url(cls, url: str, prefix: str = "state") -> RedisStore:
        return cls(redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30, retry_on_timeout=True),
                   prefix)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisStore:
        return cls.from_url(settings.get("REDIS_URL"), settings.get("STATE_REDIS_PREFIX") or "state")

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # Stored articles --------------------------------------------------------------------

    def url_stored(self, url_keys: Iterable[str]) -> str | None:
        keys = [key64(k) for k in dict.fromkeys(url_keys)]
        if not keys:
            return None
        return next((_text(url) for url in self.redis.hmget(self._k("urls"), keys) if url is not None), None)

    def content_stored(self, content_hash: str) -> str | None:
        if not content_hash:
            return None
        return _text(self.redis.hget(self._k("content"), key64(content_hash)))  # type: ignore[arg-type]

    def near_candidates(self, band_keys: Iterable[int], limit: int = 50) -> dict[str, bytes]:
        bands = list(dict.fromkeys(band_keys))
        if not bands:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for band in bands:
            pipe.srandmember(self._k("band", str(band)), limit)
        urls: dict[str, None] = {}
        for members in pipe.execute():
            for member in members:
                urls.setdefault(_text(member) or "", None)
                if len(urls) >= limit:
                    break
            if len(urls) >= limit:
                break
        if not urls:
            return {}
        signatures = self.redis.hmget(self._k("signatures"), list(urls))
        return {url: bytes(sig or b"") for url, sig in zip(urls, signatures, strict=True)}

    def mark_stored(self, article: StoredArticle) -> None:
        keys = [key64(k) for k in dict.fromkeys(article.url_keys)] or [key64(article.url)]
        bands = [self._k("band", str(b)) for b in dict.fromkeys(article.band_keys)]
        self._mark(keys=[self._k("urls"), self._k("content"), self._k("signatures"), *bands],
                   args=[article.url, article.signature, key64(article.content_hash) if article.content_hash else "",
                         *keys])

    def stored_count(self) -> int:
        return int(self.redis.hlen(self._k("signatures")))  # type: ignore[arg-type]

    # Duplicates -------------------------------------------------------------------------

    def record_duplicate(self, record: DuplicateRecord) -> None:
        at = record.at or datetime.now(UTC).isoformat(timespec="seconds")
        member = f"{record.site}\0{record.url}"
        data = json.dumps({"site": record.site, "url": record.url, "kind": record.kind,
                           "duplicate_of": record.duplicate_of, "similarity": record.similarity, "at": at},
                          ensure_ascii=False)
        score = _epoch(at)
        pipe = self.redis.pipeline()
        pipe.hset(self._k("dup"), member, data)
        pipe.zadd(self._k("dup", "at"), {member: score})
        pipe.zadd(self._k("dup", "at", record.site), {member: score})
        pipe.execute()

    def duplicates(self, site: str | None = None, limit: int | None = None) -> list[DuplicateRecord]:
        index = self._k("dup", "at", site) if site is not None else self._k("dup", "at")
        members = self.redis.zrevrange(index, 0, -1 if limit is None else limit - 1)
        if not members:
            return []
        rows: list[Any] = self.redis.hmget(self._k("dup"), members)  # type: ignore[assignment]
        return [DuplicateRecord(**json.loads(row)) for row in rows if row is not None]

    # Pending ----------------------------------------------------------------------------

    def add_pending(self, site: str, urls: Iterable[str]) -> None:
        unique = list(dict.fromkeys(urls))
        if unique:
            self._pending(keys=[self._k("pending", site), self._k("pending", "seq")], args=unique)

    def remove_pending(self, site: str, urls: Iterable[str]) -> None:
        unique = list(dict.fromkeys(urls))
        if unique:
            pipe = self.redis.pipeline()
            pipe.zrem(self._k("pending", site), *unique)
            pipe.hdel(self._k("pending", site, "attempts"), *unique)
            pipe.execute()

    def pending(self, site: str) -> list[str]:
        return [_text(u) or "" for u in self.redis.zrange(self._k("pending", site), 0, -1)]  # type: ignore[union-attr]

    def resume_pending(self, site: str, max_attempts: int = 0) -> tuple[list[str], list[str]]:
        result = self._resume(keys=[self._k("pending", site), self._k("pending", site, "attempts")],
                              args=[max_attempts])
        kept, dropped = result  # type: ignore[misc]
        return [_text(u) or "" for u in kept], [_text(u) or "" for u in dropped]

    # Checkpoints ------------------------------------------------------------------------

    def get_checkpoint(self, name: str) -> int:
        value = self.redis.hget(self._k("checkpoints"), name)
        return int(value) if value is not None else 0  # type: ignore[arg-type]

    def set_checkpoint(self, name: str, value: int) -> None:
        self.redis.hset(self._k("checkpoints"), name, int(value))

    # Learned boilerplate ----------------------------------------------------------------

    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        values = self.redis.hmget(self._k("lines", site), wanted)
        return {key: int(v) if v is not None else 0 for key, v in zip(wanted, values, strict=True)}

    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        self._lines(keys=[self._k("lines", site, "articles"), self._k("lines", site)],
                    args=[article_key, *dict.fromkeys(keys)])

    def close(self) -> None:
        self.redis.close()
