"""Switches a crawl to the shared Redis queue when ``REDIS_URL`` is set, from the settings or the environment."""

from __future__ import annotations

import os

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.distributed import redis_settings

_FORCED = ("SCHEDULER", "DUPEFILTER_CLASS", "SCHEDULER_QUEUE_CLASS", "SCHEDULER_PERSIST", "SCHEDULER_IDLE_BEFORE_CLOSE")


class DistributedAddon:
    """Enabled in ``ADDONS``; a no-op without ``REDIS_URL``.

    Add-ons run after every settings source, ``-s`` included, so ``scrapy crawl NAME -s
    REDIS_URL=redis://host:6379/0`` is enough to make a worker. Reads ``REDIS_URL`` (falling
    back to the environment variable) and ``STORE_WORKER_ID`` (default ``<hostname>-<pid>``).
    """

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("REDIS_URL") or os.environ.get("REDIS_URL", "")
        if not url:
            return
        values = redis_settings(url, settings.get("STORE_WORKER_ID") or None)
        floor = SETTINGS_PRIORITIES["addon"]
        for name, value in values.items():
            current = settings.getpriority(name) or 0
            if name in _FORCED:
                # the scheduler and dupefilter are the point of the add-on; an explicit -s still wins
                settings.set(name, value, priority=max(floor, min(current, SETTINGS_PRIORITIES["project"])))
            elif not settings.get(name):
                # REDIS_URL from the environment, or a worker id: fill an empty value whatever its source
                settings.set(name, value, priority=max(floor, current))
