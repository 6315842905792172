"""scrapy-redis' scheduler with acknowledged requests, worker heartbeats and a fleet-wide idle timeout.

scrapy-redis pops a request from the shared queue and forgets it: a worker killed with
``kill -9`` loses every request it was downloading or parsing. ``RedisScheduler`` keeps them:

1. **Push atomically.** The dupefilter check and the push are one Lua script, so a crash
   cannot leave a request marked seen but never queued (scrapy-redis does them in two calls).
2. **Pop into the in-flight hash, atomically.** One Lua script takes the best request off
   ``<spider>:requests`` and stores it in ``<spider>:inflight:<worker>`` under the field
   ``"<score> <unique id>"``; there is no moment when the request is in neither.
3. **Acknowledge when the engine is done with it.** Scrapy's engine keeps each request it
   took from the scheduler in its in-progress set (``engine._slot.inprogress``) until the
   download, the callback (or errback) and everything the callback produced have been
   handled: items through every pipeline (stored, marked in the state), new requests pushed
   to Redis; a redirect or retry is a new request pushed before the original is released.
   Every ``next_request`` first deletes (one ``HDEL``) the fields of tracked requests that have
   left that set or been garbage-collected; so do the heartbeat, the idle check and a check
   scheduled ``ACK_DELAY`` after each ``item_scraped`` / ``item_dropped`` / ``item_error``
   (repeated until that item's request is released), because with a full downloader the next
   pop may only come with the next finished download. ``inprogress`` is not
   public API (stable since Scrapy 2.6); without it the acknowledgement falls back to the
   request object being freed, which is late (cycles wait for the garbage collector) but
   never early. A crash therefore re-crawls at most what was in flight: at-least-once for
   requests, and the state store's stored URLs (DeduplicateArticlesPipeline) make the stored
   articles exactly-once.
4. **Heartbeat.** Every ``WORKER_HEARTBEAT_TTL / 3`` seconds the worker refreshes
   ``<spider>:worker:<worker>`` (expiring after ``WORKER_HEARTBEAT_TTL``, default 30 s) and
   checks the others listed in ``<spider>:workers``: the in-flight hash of a worker whose
   heartbeat has expired goes back to the queue with its priority, in one Lua script, so two
   survivors never both re-queue it. A worker restarted under the same ``STORE_WORKER_ID``
   re-queues its previous incarnation's leftovers at once.
5. **Rounds.** The queue and the request dupefilter outlive the workers (``SCHEDULER_PERSIST``
   is forced on: one worker closing must not flush what the others share). A worker that
   joins an idle fleet (nothing queued, no live worker, nothing in flight) starts a new round:
   it clears the request dupefilter, so a later ``scrapy crawl`` fetches list pages and
   pagination again like a single-machine run (stored articles are still skipped by the
   state store). A worker joining a running round keeps it. ``WORKER_FRESH_ROUND = False``
   keeps the dupefilter forever; ``scrapy seed --reset`` clears it for a long-running fleet.
6. **Idle timeout.** A worker does not close while the shared queue holds requests or any
   other worker has requests in flight (it may yield more, or die and leave them to be
   re-queued); once it has had no request for ``WORKER_IDLE_TIMEOUT`` seconds and the fleet
   has nothing queued or in flight, it closes.
   ``WORKER_IDLE_TIMEOUT = 0`` (the default) keeps it waiting for ``scrapy seed`` forever.
   The engine checks idleness every 5 seconds.

It also stops scrapy-redis' deprecated ``spider=`` argument to the stats on every request.

Settings: ``REDIS_URL``, ``STORE_WORKER_ID`` (default ``<hostname>-<pid>``),
``WORKER_HEARTBEAT_TTL``, ``WORKER_IDLE_TIMEOUT``, ``WORKER_FRESH_ROUND`` and scrapy-redis' ``SCHEDULER_*`` keys
(``crawler.distributed.redis_settings``). ``SCHEDULER_PERSIST`` is forced on; the queue must
be a ``scrapy_redis.queue.PriorityQueue``. Stats: ``scheduler/enqueued/redis``,
``scheduler/dequeued/redis``, ``distributed/requeued`` (requests taken back from dead workers).
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
import weakref
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy.utils.reactor import CallLaterOnce
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.distributed import default_worker_id

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

WORKERS_KEY = "%(spider)s:workers"
HEARTBEAT_KEY = "%(spider)s:worker:%(worker)s"
INFLIGHT_KEY = "%(spider)s:inflight:%(worker)s"

# KEYS[1] dupefilter set, KEYS[2] queue; ARGV[1] fingerprint ('' for dont_filter), ARGV[2] score, ARGV[3] request
# -> 1 when queued, 0 when filtered as seen
PUSH_SCRIPT = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS[1] queue (sorted set), KEYS[2] in-flight hash; ARGV[1] unique id -> {field, request} or nil
POP_SCRIPT = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local field = found[2] .. ' ' .. ARGV[1]
redis.call('HSET', KEYS[2], field, found[1])
return {field, found[1]}
"""

# KEYS[1] workers set, KEYS[2] queue, KEYS[3] dupefilter; ARGV[1] heartbeat key prefix,
# ARGV[2] in-flight key prefix, ARGV[3] worker id to register ('' for none), ARGV[4] '1' to allow a new round
# -> 1 when the fleet was idle and a new round began
JOIN_SCRIPT = """
local busy = ARGV[4] ~= '1' or redis.call('ZCARD', KEYS[2]) > 0
if not busy then
  for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if redis.call('EXISTS', ARGV[1] .. w) == 1 or redis.call('HLEN', ARGV[2] .. w) > 0 then
      busy = true
      break
    end
  end
end
if not busy then redis.call('DEL', KEYS[3]) end
if ARGV[3] ~= '' then redis.call('SADD', KEYS[1], ARGV[3]) end
if busy then return 0 end
return 1
"""

ACK_DELAY = 0.01  # seconds between an item leaving the pipelines and the check that its request is released

# KEYS[1] heartbeat, KEYS[2] in-flight hash, KEYS[3] queue, KEYS[4] workers set;
# ARGV[1] worker id, ARGV[2] '1' to re-queue even if the heartbeat is alive.
# -> number of requests re-queued, -1 when the worker is alive
RECOVER_SCRIPT = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local score = string.match(entries[i], '^(%S+)')
  redis.call('ZADD', KEYS[3], score, entries[i + 1])
end
redis.call('DEL', KEYS[2])
if ARGV[2] ~= '1' then redis.call('SREM', KEYS[4], ARGV[1]) end
return #entries / 2
"""


def join_fleet(server: Redis, spider: str, queue_key: str, dupefilter_key: str, worker_id: str = "",
               new_round: bool = True) -> bool:
    """Atomically: if the fleet is idle (nothing queued, no live worker, nothing in flight) and
    ``new_round``, clear the request dupefilter; register ``worker_id`` if given. True for a new round."""
    prefix = {"spider": spider, "worker": ""}
    fresh = server.register_script(JOIN_SCRIPT)(
        keys=[WORKERS_KEY % prefix, queue_key, dupefilter_key],
        args=[HEARTBEAT_KEY % prefix, INFLIGHT_KEY % prefix, worker_id, "1" if new_round else "0"])
    return bool(fresh)


class RedisScheduler(Scheduler):
    """scrapy-redis ``Scheduler`` whose popped requests stay in Redis until processed (see the module doc)."""

    crawler: Crawler
    worker_id: str
    heartbeat_ttl: float
    idle_timeout: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        instance: RedisScheduler = super().from_crawler(crawler)
        settings = crawler.settings
        instance.crawler = crawler
        instance.persist = True
        instance.idle_before_close = 0
        instance.worker_id = settings.get("STORE_WORKER_ID") or default_worker_id()
        instance.heartbeat_ttl = max(settings.getfloat("WORKER_HEARTBEAT_TTL", 30.0), 1.0)
        instance.idle_timeout = settings.getfloat("WORKER_IDLE_TIMEOUT", 0.0)
        instance._setup()
        crawler.signals.connect(instance._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(instance._start_heartbeat, signal=signals.spider_opened)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(instance._item_done, signal=signal)
        return instance

    def _setup(self) -> None:
        self.token = uuid.uuid4().hex[:12]  # this process; tells incarnations of one worker id apart
        self._seq = 0
        self._tracked: dict[str, weakref.ref[Request]] = {}  # in-flight field -> popped request
        self._finishing: weakref.WeakSet[Request] = weakref.WeakSet()  # requests whose items are through
        self._ack_call: CallLaterOnce[None] = CallLaterOnce(self._ack_finishing)
        self._last_work = time.monotonic()  # when this worker last got a request
        self._loop: task.LoopingCall | None = None

    # Keys ---------------------------------------------------------------------------------

    def _key(self, template: str, worker: str | None = None) -> str:
        return template % {"spider": self.spider.name, "worker": worker or self.worker_id}

    @property
    def redis(self) -> Redis:
        return self.server  # type: ignore[no-any-return]

    # Lifecycle ----------------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        # scrapy-redis' open() without its deprecated spider.log() call
        self.spider = spider
        key = self.queue_key % {"spider": spider.name}
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, key=key, serializer=self.serializer)
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError(f"{type(self).__name__} needs SCHEDULER_QUEUE_CLASS = scrapy_redis.queue.PriorityQueue")
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self._push = self.redis.register_script(PUSH_SCRIPT)
        self._pop = self.redis.register_script(POP_SCRIPT)
        self._recover = self.redis.register_script(RECOVER_SCRIPT)
        self.inflight_key = self._key(INFLIGHT_KEY)
        self.heartbeat_key = self._key(HEARTBEAT_KEY)
        self.workers_key = self._key(WORKERS_KEY)
        previous = self.redis.get(self.heartbeat_key)
        fresh = self._join(spider)
        left = self._requeue(self.worker_id, force=True)
        if left:
            logger.warning("Worker %s: re-queued %d requests left in flight by its previous run%s", self.worker_id,
                           left, " (another live process with this STORE_WORKER_ID would now crawl them twice)"
                           if previous else "", extra={"spider": spider})
        self._beat()
        self._requeue_dead()
        logger.info("Worker %s joined %s (%s; queue %s: %d requests, heartbeat %.0fs, idle timeout %s)",
                    self.worker_id, self.redis.connection_pool.connection_kwargs.get("host", "redis"),
                    "new round: request dupefilter cleared" if fresh else "joined a running round",
                    self.queue.key, len(self.queue), self.heartbeat_ttl,
                    f"{self.idle_timeout:g}s" if self.idle_timeout > 0 else "none", extra={"spider": spider})

    def _join(self, spider: Spider) -> bool:
        """Register this worker; the first worker of an idle fleet starts a new round (True)."""
        return join_fleet(self.redis, spider.name, self.queue.key, self.df.key, self.worker_id,
                          new_round=self.crawler.settings.getbool("WORKER_FRESH_ROUND", True))

    def _start_heartbeat(self) -> None:
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.heartbeat_ttl / 3, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._ack_call.cancel()
        # The engine closes the scheduler after every request it popped has been processed,
        # so nothing in this worker's hash is still in flight.
        self._tracked.clear()
        pipe = self.redis.pipeline()
        pipe.delete(self.inflight_key)
        pipe.delete(self.heartbeat_key)
        pipe.srem(self.workers_key, self.worker_id)
        pipe.execute()
        super().close(reason)

    # Requests -----------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        """Dupefilter check and push in one script: a crash can never leave a request seen but not queued."""
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        if not self._push(keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data]):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        self._ack()
        self._seq += 1
        popped = self._pop(keys=[self.queue.key, self.inflight_key], args=[f"{self.token}:{self._seq}"])
        if not popped:
            return None
        field, data = popped
        field = field.decode() if isinstance(field, bytes) else str(field)
        try:
            request: Request = self.queue._decode_request(data)
        except Exception:
            logger.exception("Dropping a request that cannot be decoded", extra={"spider": self.spider})
            self.stats.inc_value("distributed/undecodable")
            self.redis.hdel(self.inflight_key, field)
            return None
        self._tracked[field] = weakref.ref(request)
        self._last_work = time.monotonic()
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _in_progress(self) -> set[Request] | None:
        """The engine's set of requests taken from the scheduler and not yet fully processed."""
        try:
            engine = self.crawler.engine
        except (AttributeError, RuntimeError):  # no engine yet (a scheduler driven directly)
            return None
        slot = getattr(engine, "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        return inprogress if isinstance(inprogress, set) else None

    def _ack(self) -> None:
        """Delete the in-flight fields of the requests the engine has finished with (one HDEL)."""
        if not self._tracked:
            return
        inprogress = self._in_progress()
        fields = [field for field, ref in self._tracked.items()
                  if (request := ref()) is None or (inprogress is not None and request not in inprogress)]
        if fields:
            self.redis.hdel(self.inflight_key, *fields)
            for field in fields:
                request = self._tracked.pop(field)()
                if request is not None:
                    self._finishing.discard(request)

    def _item_done(self, response: Response | None = None, **_: Any) -> None:
        """An item went through the pipelines: acknowledge its request as soon as the engine releases it.

        Without this, a request whose item is stored waits for the next pop to be acknowledged,
        which may come only after the next download completes (the downloader is full), and a
        crash in between makes another worker re-crawl it (and the dedup pipeline drop it).
        """
        request = getattr(response, "request", None)
        if request is not None:
            self._finishing.add(request)
        self._ack_call.schedule(ACK_DELAY)

    def _ack_finishing(self) -> None:
        try:
            self._ack()
        except Exception:
            logger.exception("Worker %s: acknowledgement failed", self.worker_id, extra={"spider": self.spider})
        inprogress = self._in_progress()
        if inprogress is not None and any(request in inprogress for request in self._finishing):
            self._ack_call.schedule(ACK_DELAY)

    # Fleet --------------------------------------------------------------------------------

    def _beat(self) -> None:
        """Refresh the heartbeat; re-register too, in case a stall longer than the TTL got this worker
        declared dead (its in-flight requests were then re-queued: the dedup pipeline drops the copies)."""
        pipe = self.redis.pipeline()
        pipe.set(self.heartbeat_key, self.token, px=int(self.heartbeat_ttl * 1000))
        pipe.sadd(self.workers_key, self.worker_id)
        pipe.execute()

    def _requeue(self, worker: str, force: bool = False) -> int:
        keys = [self._key(HEARTBEAT_KEY, worker), self._key(INFLIGHT_KEY, worker), self.queue.key, self.workers_key]
        return int(self._recover(keys=keys, args=[worker, "1" if force else "0"]))

    def _requeue_dead(self) -> int:
        total = 0
        for raw in self.redis.smembers(self.workers_key):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker == self.worker_id:
                continue
            count = self._requeue(worker)
            if count > 0:
                logger.warning("Worker %s is gone (no heartbeat for %.0fs): re-queued its %d in-flight requests",
                               worker, self.heartbeat_ttl, count, extra={"spider": self.spider})
                self.stats.inc_value("distributed/requeued", count)
                total += count
        return total

    def _others_in_flight(self) -> int:
        workers = [w.decode() if isinstance(w, bytes) else str(w) for w in self.redis.smembers(self.workers_key)]
        pipe = self.redis.pipeline()
        for worker in workers:
            if worker != self.worker_id:
                pipe.hlen(self._key(INFLIGHT_KEY, worker))
        return sum(int(n) for n in pipe.execute())

    def _tick(self) -> None:
        """Heartbeat, acknowledgements, re-queue of dead workers; never lets an error stop the loop."""
        try:
            self._beat()
            self._ack()
            self._requeue_dead()
        except Exception:
            logger.exception("Worker %s: heartbeat failed", self.worker_id, extra={"spider": self.spider})

    def _on_idle(self, spider: Spider, **_: Any) -> None:
        """``spider_idle``: keep the worker while the fleet has work; close after ``WORKER_IDLE_TIMEOUT`` idle."""
        if self._in_progress() is None:
            gc.collect()  # fallback acknowledgement: free processed requests caught in reference cycles
        self._ack()
        self._requeue_dead()
        if len(self.queue) or self._others_in_flight():
            raise DontCloseSpider
        idle = time.monotonic() - self._last_work
        if self.idle_timeout <= 0 or idle < self.idle_timeout:
            raise DontCloseSpider
        logger.info("Worker %s: no request for %.0fs and none queued or in flight in the fleet, closing",
                    self.worker_id, idle, extra={"spider": spider})
