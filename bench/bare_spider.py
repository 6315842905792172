"""The baseline of the crawl benchmark: a bare Scrapy spider that fetches the same pages and extracts nothing.

    scrapy runspider bench/bare_spider.py -a start_url=http://127.0.0.1:PORT/list/1.html

Follows every link of the start page and of the list pages (``/list/``), fetches the article
pages (``/a/``) and drops them: what the full stack costs on top is extraction, cleaning and storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse


class BareSpider(Spider):
    name = "bare"

    def __init__(self, start_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.start_url, callback=self.parse_list, dont_filter=True)

    def parse_list(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        for href in dict.fromkeys(response.xpath("//a/@href").getall()):
            url = response.urljoin(href)
            if "/a/" in url:
                yield Request(url, callback=self.parse_article)
            elif "/list/" in url:
                yield Request(url, callback=self.parse_list, priority=-1)

    def parse_article(self, response: Response) -> None:
        self.crawler.stats.inc_value("bare/articles")
