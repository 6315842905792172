"""Re-reads HTML whose charset is missing or wrong (see ``crawler.extract.encoding``)."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawler.extract.encoding import better_encoding

logger = logging.getLogger(__name__)


def fix_encoding(response: Response) -> tuple[Response, str | None]:
    """The response re-read in a better encoding, and that encoding (None when unchanged)."""
    if not isinstance(response, TextResponse):
        return response, None
    content_type = response.headers.get("Content-Type", b"").decode("latin-1")
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(response.body)
    encoding = better_encoding(response.body, declared, response.encoding)
    if encoding is None:
        return response, None
    return response.replace(encoding=encoding), encoding


class EncodingMiddleware:
    """Downloader middleware: counts ``encoding/corrected`` and logs the URL, the declared and the used charset."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        fixed, encoding = fix_encoding(response)
        if encoding is not None:
            logger.info("Charset of %s is %s, not %s as declared or guessed", response.url, encoding,
                        getattr(response, "encoding", None))
            self.crawler.stats.inc_value("encoding/corrected")
        return fixed
