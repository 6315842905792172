from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import urlparse

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

from crawler.arguments import ArgumentError, bool_arg, int_arg, regex_arg
from crawler.spiders.base import ArticleSpider, content_type

_PAGE_SUFFIX = re.compile(r"(?:[_-]\d{1,3})?(\.\w+)?$")


def article_stem(url: str) -> str:
    """The URL less a page suffix (``a_2.html`` -> ``a``): the pages of one article share it."""
    return _PAGE_SUFFIX.sub("", url.split("?")[0])


class GenericSpider(ArticleSpider):
    """Any site: ``-a start_urls=URL[,URL] -a allow=REGEX [-a depth=N]`` or ``-a url=URL``.

    Follows links inside the start URLs' domains up to ``depth`` (default 2) and extracts
    every page whose URL matches ``allow`` (every followed page when ``allow`` is absent)
    with the structured and generic layers. With ``allow``, an article page is a leaf: its links
    (related articles, navigation) are followed only with ``-a follow_article_links=1``, for sites
    whose articles are reached only from other articles; without ``allow`` every page is a
    candidate, so every page's links are followed. ``-a render_js=1`` renders the extracted pages
    in Chromium (``-a render_js=all`` every page), ``-a wait_selector=CSS`` waits for that element.
    """

    name = "generic"
    allowed_domains: list[str] = []
    page_timezone = True

    def __init__(self, *args: Any, allow: str | None = None, depth: str | int = 2,
                 render_js: str | bool = False, follow_article_links: str | bool | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seeds = [*self.start_urls, *([self.single_url] if self.single_url else [])]
        hosts = {urlparse(u).hostname or "" for u in seeds}
        self.allowed_domains = sorted({h.removeprefix("www.") for h in hosts if h})
        self._article_re = regex_arg("allow", allow)
        self.max_depth = int_arg("depth", depth, minimum=0) or 0
        self.render_js = bool_arg("render_js", render_js, extra=("all",))
        self.follow_article_links = (not allow if follow_article_links in (None, "")
                                     else bool(bool_arg("follow_article_links", follow_article_links)))

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, Any], settings: BaseSettings | None = None) -> None:
        seeded = settings is not None and bool(settings.get("REDIS_URL"))  # a fleet worker crawls what is seeded
        if not arguments.get("start_urls") and not arguments.get("url") and not seeded:
            raise ArgumentError("generic needs -a start_urls=URL[,URL] (list pages) or -a url=URL (one article)")
        super().check_arguments(arguments, settings)

    async def start(self) -> AsyncIterator[Request]:
        async for request in super().start():
            if not self.single_url:  # start pages lead further; -a url= is one article
                request.meta.setdefault("generic_depth", 0)
            yield request

    def is_article_url(self, url: str) -> bool:
        return self._article_re.search(url) is not None if self._article_re else True

    def parse_list(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self.reject(response, "not_html", f"list page is not HTML ({content_type(response)})")
            return
        self.crawler.stats.inc_value("pages/list")
        yield from self.follow_links(response)

    def follow_links(self, response: TextResponse) -> Iterator[Request]:
        depth = response.meta.get("generic_depth", 0)
        if depth >= self.max_depth:
            return
        own = article_stem(response.url) if response.meta.get("article") else None
        for href in dict.fromkeys(response.xpath("//a/@href").getall()):
            href = href.strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = response.urljoin(href).split("#")[0]
            if not url.startswith(("http://", "https://")) or (own and article_stem(url) == own):
                continue
            if self.limit_reached():
                return
            if not self.first_link(url):
                continue
            if self.is_article_url(url):
                self.crawler.stats.inc_value("articles/found")
                yield self.article_request(url, generic_depth=depth + 1)
            else:
                yield Request(url, callback=self.parse_list, errback=self.on_error, meta={"generic_depth": depth + 1},
                              priority=-1)

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield from super().parse_article(response)
        # Only pages reached by following links lead further: an article given by -a url= or resumed
        # from the pending set is a leaf (its links, reached first at a deeper depth, would shadow the
        # same links found from the start pages and stop the crawl there).
        meta = response.meta
        if (self.follow_article_links and isinstance(response, TextResponse) and "generic_depth" in meta
                and not meta.get("article_part")):
            yield from self.follow_links(response)
