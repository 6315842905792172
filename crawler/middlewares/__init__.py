"""Downloader and spider middlewares: incremental skip of stored articles, persistence of pending article URLs."""

from scrapy.exceptions import IgnoreRequest


class AlreadyStored(IgnoreRequest):
    """Raised by IncrementalMiddleware: the article is stored, its download skipped (not a failure)."""
