"""Skips the download of an article already stored (incremental cron runs)."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.middlewares import AlreadyStored
from crawler.state.tracking import ArticleState, article_state

logger = logging.getLogger(__name__)


def is_article_start(request: Request) -> bool:
    """An article's first page (``article`` meta set, not a continuation page ``article_part >= 2``)."""
    return bool(request.meta.get("article")) and int(request.meta.get("article_part") or 1) <= 1


class IncrementalMiddleware:
    """Downloader middleware: an article request whose canonical URL is stored is ignored
    before download (stat ``incremental/skipped``); list pages, feeds and sitemaps always go
    through. ``-a full=1`` (``spider.full``) turns the skip off.

    It also settles pending article URLs (see PendingArticlesMiddleware): a skipped URL, a
    request another component ignored (offsite, robots.txt) and a 404/410 answer are final,
    so the URL leaves the pending set; a network error keeps it for the next run.

    Settings: ``INCREMENTAL_ENABLED`` (True). Spider attribute: ``mobile_hosts``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED", True):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        self.crawler = crawler
        self.state: ArticleState = article_state(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.state.full or not is_article_start(request):
            return
        stored = self.state.store.url_stored(self.state.keys_for_urls(request.url))
        if stored is None:
            return
        self.crawler.stats.inc_value("incremental/skipped")
        self._settle(request)
        logger.debug("Skipped %s: stored as %s", request.url, stored)
        raise AlreadyStored(f"already stored: {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (404, 410):
            self._settle(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            self._settle(request)

    def _settle(self, request: Request) -> None:
        pending = request.meta.get("pending_url")
        if pending:
            self.state.store.remove_pending(self.state.site, [pending])
