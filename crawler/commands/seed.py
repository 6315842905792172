from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict
from scrapy_redis import defaults
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from crawler.distributed.scheduler import join_fleet


async def _collect(start: AsyncIterator[Any]) -> list[Request]:
    return [r async for r in start if isinstance(r, Request)]


class Command(ScrapyCommand):
    """Pushes a spider's start requests, or the given URLs, into the fleet's shared Redis queue.

    The requests are the spider's own (``start()``, or ``article_request`` / a list-page request
    with ``parse_list`` for each URL given), serialized by scrapy-redis' queue so their
    callbacks survive. Source pages are ``dont_filter`` and always pushed; article requests
    pass the shared dupefilter like any request a worker schedules. Seeding an idle fleet
    (nothing queued or in flight, no live worker) starts a new round: the requests seen in
    the previous one are forgotten, as when the first worker of an idle fleet joins;
    ``--reset`` forces that for a running, long-lived fleet. Stored articles stay known to the
    state store either way. Workers must run with the same ``-a`` arguments as the seed.
    Needs ``REDIS_URL`` (``-s REDIS_URL=...`` or the environment variable).
    """

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "SPIDER [URL ...] [-a NAME=VALUE ...] [--reset]"

    def short_desc(self) -> str:
        return "Push start URLs into the shared Redis queue of distributed workers"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument (may be repeated)")
        parser.add_argument("--reset", action="store_true",
                            help="clear the shared request dupefilter first (start a new round)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as exc:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from exc

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args:
            raise UsageError("SPIDER is required")
        settings = self.settings
        url = settings.get("REDIS_URL") or os.environ.get("REDIS_URL", "")
        if not url:
            raise UsageError("REDIS_URL is not set (-s REDIS_URL=redis://host:6379/0 or the environment variable)")
        settings.set("REDIS_URL", url, priority="cmdline")
        spidercls = get_spider_loader(settings).load(args[0])
        crawler = Crawler(spidercls, settings)
        spider: Spider = spidercls.from_crawler(crawler, **opts.spargs)
        requests = self._requests(spider, args[1:])
        server = get_redis_from_settings(settings)
        server.ping()
        queue = PriorityQueue(server, spider, settings.get("SCHEDULER_QUEUE_KEY") or defaults.SCHEDULER_QUEUE_KEY)
        dupefilter = RFPDupeFilter.from_spider(spider)
        if opts.reset:
            dupefilter.clear()
            fresh = True
        else:  # seeding an idle fleet starts a new round, as its first worker would
            fresh = join_fleet(server, spider.name, queue.key, dupefilter.key,
                               new_round=settings.getbool("WORKER_FRESH_ROUND", True))
        pushed = seen = 0
        for request in requests:
            if not request.dont_filter and dupefilter.request_seen(request):
                seen += 1
                continue
            queue.push(request)
            pushed += 1
        print(f"{spider.name}: pushed {pushed} requests into {queue.key} ({seen} already seen, "
              f"{len(queue)} queued in all{'; new round' if fresh else ''})")
        if not pushed and not seen:
            self.exitcode = 1

    @staticmethod
    def _requests(spider: Spider, urls: list[str]) -> list[Request]:
        if not urls:
            return asyncio.run(_collect(spider.start()))
        requests = []
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise UsageError(f"not an http(s) URL: {url}")
            is_article = getattr(spider, "is_article_url", None)
            if is_article is not None and is_article(url):
                requests.append(spider.article_request(url))  # type: ignore[attr-defined]
            else:
                callback = getattr(spider, "parse_list", spider.parse)
                requests.append(Request(url, callback=callback, meta={"list_page": 1}, dont_filter=True))
        return requests
