"""Persists discovered article URLs until they are stored or rejected, so a crash loses no work."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.middlewares.incremental import is_article_start
from crawler.state.tracking import ArticleState, article_state

logger = logging.getLogger(__name__)


def pending_requests(spider: Any, urls: list[str]) -> list[Request]:
    """Requests for pending article URLs, built by the spider's ``article_request`` when it has one."""
    build = getattr(spider, "article_request", None)
    requests = []
    for url in urls:
        request = build(url) if build else Request(url, callback=spider.parse_article, meta={"article": True})
        request.meta["pending_url"] = url
        requests.append(request)
    return requests


class PendingArticlesMiddleware:
    """Spider middleware keeping the pending set of article URLs of a spider in the state store.

    - ``process_start``: the URLs left pending by an earlier run come first (stat
      ``pending/resumed``), then the spider's own start requests.
    - ``process_spider_output``: a new article request (``meta["article"]``, not a
      continuation page) is added to the pending set before it is scheduled, unless already
      stored (and not ``-a full=1``); its URL travels in ``meta["pending_url"]`` (continuation
      pages copy the meta); counted as ``articles/new_urls``. An item from that response is
      tied to the URL, which leaves the set when the store pipeline has written the item or a
      pipeline drops it. A response
      that gives neither an item nor a continuation page (a rejected page) settles it at once.

    - Offsite article links (outside ``allowed_domains``, which Scrapy drops at scheduling without an
      errback) never enter the set; an article that redirects off the site is logged, counted
      (``articles/offsite_redirect``) and leaves it.
    - A URL resumed in ``PENDING_MAX_ATTEMPTS`` runs (default 3) that is still pending (it keeps
      failing) is dropped on the next start (stat ``pending/dropped_stale``, one log line); 0 keeps it forever.

    Settings: ``PENDING_ENABLED`` (True), ``PENDING_MAX_ATTEMPTS`` (3). Register with an order below 700 so
    the requests it sees have passed the depth and URL-length filters.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("PENDING_ENABLED", True):
            raise NotConfigured("PENDING_ENABLED is off")
        self.crawler = crawler
        self.state: ArticleState = article_state(crawler)
        self.max_attempts = crawler.settings.getint("PENDING_MAX_ATTEMPTS", 3)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PendingArticlesMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        urls, stale = self.state.store.resume_pending(spider.name, self.max_attempts)
        if stale:
            logger.info("Dropped %d pending article URL(s) of %s that failed in %d runs, e.g. %s", len(stale),
                        spider.name, self.max_attempts, stale[0])
            self.crawler.stats.inc_value("pending/dropped_stale", len(stale))
        urls = [u for u in urls if not self._offsite_url(u)]
        if urls:
            logger.info("Resuming %d pending article URL(s) of %s", len(urls), spider.name)
            self.crawler.stats.inc_value("pending/resumed", len(urls))
        for request in pending_requests(spider, urls):
            yield request
        async for item_or_request in start:
            yield self._track_request(item_or_request)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        pending = response.meta.get("pending_url") if response is not None else None
        settled = pending is None
        async for obj in result:
            if isinstance(obj, Request):
                if pending and obj.meta.get("pending_url") == pending:
                    settled = True  # a continuation page carries the URL on
                else:
                    obj = self._track_request(obj)
            else:
                if pending and not settled:
                    self.state.pending_of[id(obj)] = pending
                    settled = True
            yield obj
        if not settled:
            self.state.store.remove_pending(self.state.site, [pending])  # type: ignore[list-item]

    def _offsite_url(self, url: str) -> bool:
        """Outside ``allowed_domains`` as Scrapy's OffsiteMiddleware sees it (the host, any port, subdomains)."""
        domains = [d.lower() for d in getattr(self.crawler.spider, "allowed_domains", None) or [] if d and ":" not in d]
        host = (urlparse(url).hostname or "").lower()
        return bool(domains) and not any(host == d or host.endswith("." + d) for d in domains)

    def _offsite(self, request: Request) -> bool:
        """What Scrapy's OffsiteMiddleware drops (silently, at scheduling): never pending."""
        return not (request.dont_filter or request.meta.get("allow_offsite")) and self._offsite_url(request.url)

    def request_scheduled(self, request: Request, spider: Any) -> None:
        """An article that redirects off the site is dropped by Scrapy without an errback: say so, settle it."""
        if not request.meta.get("redirect_urls") or not self._offsite(request):
            return
        first = request.meta["redirect_urls"][0]
        logger.info("Dropped %s: it redirects to %s, outside the allowed domains", first, request.url,
                    extra={"spider": spider})
        self.crawler.stats.inc_value("articles/offsite_redirect")
        pending = request.meta.get("pending_url")
        if pending:
            self.state.store.remove_pending(self.state.site, [pending])

    def _track_request(self, obj: Any) -> Any:
        if not isinstance(obj, Request) or not is_article_start(obj) or obj.meta.get("pending_url"):
            return obj
        if self._offsite(obj):
            return obj  # Scrapy's OffsiteMiddleware drops it (offsite/filtered): nothing to remember
        store = self.state.store
        if not self.state.full and store.url_stored(self.state.keys_for_urls(obj.url)) is not None:
            return obj  # the incremental middleware skips it; nothing to remember
        store.add_pending(self.state.site, [obj.url])
        self.crawler.stats.inc_value("articles/new_urls")
        obj.meta["pending_url"] = obj.url
        return obj
