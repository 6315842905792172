"""Running one crawl on many machines: scrapy-redis scheduling plus acknowledged requests.

With ``REDIS_URL`` set, every ``scrapy crawl`` process is a worker of one fleet:

- one shared request queue (a Redis sorted set, ``<spider>:requests``, scrapy-redis'
  ``PriorityQueue``) and one shared request dupefilter (``<spider>:dupefilter``);
- ``crawler.distributed.scheduler.RedisScheduler`` pops requests atomically into the worker's
  in-flight hash and re-queues the in-flight requests of workers whose heartbeat expired, so a
  killed worker loses nothing;
- the state store (stored URLs, content hashes, near-duplicate bands, learned boilerplate)
  is ``crawler.state.redis.RedisStore``, so every worker sees every stored article;
- each worker appends to its own ``DATA_DIR/<spider>/<date>.<worker>.jsonl``.

``redis_settings(url)`` is the settings a worker needs; ``DistributedAddon`` applies them
whenever ``REDIS_URL`` is set (setting or environment). Without ``REDIS_URL`` nothing changes.
"""

from __future__ import annotations

import os
import socket
from typing import Any

SCHEDULER_PATH = "crawler.distributed.scheduler.RedisScheduler"
DUPEFILTER_PATH = "scrapy_redis.dupefilter.RFPDupeFilter"
QUEUE_PATH = "scrapy_redis.queue.PriorityQueue"


def default_worker_id() -> str:
    """``<hostname>-<pid>``: unique on a fleet, readable in file names and logs."""
    host = socket.gethostname().split(".")[0] or "worker"
    return f"{host}-{os.getpid()}"


def redis_settings(url: str, worker_id: str | None = None) -> dict[str, Any]:
    """The settings that turn a crawl process into a worker of the fleet sharing ``url``.

    ``SCHEDULER_PERSIST`` is always on: one worker closing must never flush the queue and
    dupefilter the others share (``scrapy seed --reset`` starts a new round instead).
    ``SCHEDULER_IDLE_BEFORE_CLOSE`` stays 0: a blocking pop would stall the reactor; waiting
    for work is ``WORKER_IDLE_TIMEOUT``'s job.
    """
    return {
        "REDIS_URL": url,
        "SCHEDULER": SCHEDULER_PATH,
        "DUPEFILTER_CLASS": DUPEFILTER_PATH,
        "SCHEDULER_QUEUE_CLASS": QUEUE_PATH,
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "STORE_WORKER_ID": worker_id or default_worker_id(),
    }
