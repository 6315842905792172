"""The base of every article spider: a site declares, the base crawls.

A site module sets class attributes; the base turns them into requests and items:

- ``name``, ``allowed_domains``; sources: ``start_urls`` (section/list pages),
  ``feed_urls`` (RSS/Atom), ``sitemap_urls``;
- ``article_url_pattern``: regex searched in an absolute URL; a link that matches is an article.
  Write it for the path (``r"/dy/article/\\w+\\.html"``) so a local copy of the site crawls too;
- ``list_next_page``: selector of a list page's next-page link (default: ``rel=next`` / 下一页);
  ``max_list_pages`` bounds list pagination;
- ``timezone`` (default ``Asia/Shanghai``) for dates printed without an offset (and for times given in
  UTC, shown in the site's time); ``page_timezone = True`` reads it from each page instead (the generic
  spider: ``crawler.extract.zones``);
- ``selectors``: ``ArticleItem`` field name -> CSS or XPath selector (XPath when it starts with ``/``,
  ``(``, ``./`` or a function such as ``substring-after(``; a list tries each in turn until one
  matches), for ``title``, ``published_at``, ``updated_at``, ``body``, ``authors``, ``source``,
  ``category``, ``tags`` and ``next_page``. Title and date come from JSON-LD/``<meta>`` when the site
  declares no selector for them (``crawler.extract.article`` is the field table);
- ``noise_selectors``: removed from (a copy of) the body container before it is read, and from the
  page before the generic layer reads it; their text is still read for bylines (责任编辑, 原标题);
- ``field_order`` (``{"published_at": ("structured", "site")}``), ``field_sources`` (a site's own
  sources, pure functions of the page), ``ignore_structured`` (fields whose structured data the
  site's template fills wrongly), ``generic_body = False`` (a page without the site's container
  is no article), ``portal_names`` (the portal's own names: never an author);
- ``watermark_rules``: literal lines, or regexes prefixed ``re:``, read by the cleaning pipelines;
- ``mobile_hosts``: mobile host -> desktop host (``{"m.163.com": "www.163.com"}``) for URL deduplication;
- ``render_js``: ``True`` renders article pages in Chromium (scrapy-playwright), ``"all"`` every page;
  a request's meta ``render_js`` decides for that request. ``wait_selector``: the CSS selector the
  browser waits for (default: the CSS entries of the ``body`` selector).

Spider arguments: ``-a start_urls=URL,URL`` (replaces the sources), ``-a url=URL`` (one
article), ``-a limit=N`` (stop after N articles), ``-a since=YYYY-MM-DD`` (skip older
articles), ``-a full=1`` (ignore the incremental state), ``-a wait_selector=CSS`` (with ``render_js``).
An argument no ``__init__`` of the spider takes is refused before the crawl (a typo such as
``-a limt=5`` would otherwise crawl everything); names starting with ``_`` (scrapyd's ``_job``) pass.

Hooks, for the exceptions a site has: ``is_article_url(url)``, ``article_links(response)``,
``adjust_page(page, response)`` (``page.discard(field)`` forgets a wrong field).
"""

from __future__ import annotations

import gzip
import inspect
import logging
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date, datetime
from typing import Any, ClassVar
from urllib.parse import urlparse

from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.arguments import bool_arg, day_arg, int_arg, known_args, url_arg, urls_arg
from crawler.extract.article import Page, SiteRules, Source, extract_page, find_next_page
from crawler.extract.dates import get_tz, parse_date
from crawler.extract.select import SelectorSpec
from crawler.items import ArticleItem
from crawler.middlewares import AlreadyStored

logger = logging.getLogger(__name__)

MAX_ARTICLE_PAGES = 50
# The request meta a later page of an article carries over; Scrapy's own keys (download_latency,
# redirect_urls, ...) describe one download and stay behind.
ARTICLE_META = ("article", "article_url", "pending_url", "captured_at", "follow_pages", "render_js", "wait_selector",
                "generic_depth")
_MAGIC = ((b"%PDF", "a PDF"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"RIFF", "a RIFF file"))


def binary_kind(body: bytes) -> str | None:
    """What a body that is not a text document is ("a PDF", "binary data"), or None for text."""
    head = body[:1024].lstrip()
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in body[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has NULs
        return "binary data"
    return None


def content_type(response: Response) -> str:
    """The response's Content-Type as a log line shows it (``served as text/html``), or ``no Content-Type``."""
    value = response.headers.get("Content-Type", b"").decode("latin-1").strip()
    return f"served as {value}" if value else "no Content-Type"


_SENTENCE_END = re.compile(r"[。！？!?]|\.(?:\s|$)")


def reads_as_prose(lines: list[str], min_chars: int = 150) -> bool:
    """Paragraphs of sentences (at least ``min_chars`` in lines of 30+ characters that end a sentence), not a
    list of linked titles."""
    return sum(len(line) for line in lines if len(line) >= 30 and _SENTENCE_END.search(line)) >= min_chars


def html_selector(response: TextResponse) -> Selector:
    """The page read as HTML: an article served as ``text/xml`` or ``application/xml`` (XHTML, often not
    well-formed) is HTML to a browser, and an XML parse of it has namespaced tags or nothing at all."""
    if isinstance(response, XmlResponse):
        return Selector(text=response.text, type="html", base_url=response.url)
    return response.selector


class ArticleSpider(Spider):
    """Crawls list pages, feeds and sitemaps of one site and yields an ``ArticleItem`` per article."""

    start_urls: ClassVar[list[str]] = []
    feed_urls: ClassVar[list[str]] = []
    sitemap_urls: ClassVar[list[str]] = []
    article_url_pattern: ClassVar[str] = ""
    list_next_page: ClassVar[SelectorSpec] = None
    max_list_pages: ClassVar[int] = 3
    timezone: ClassVar[str] = "Asia/Shanghai"
    page_timezone: ClassVar[bool] = False

    selectors: ClassVar[dict[str, SelectorSpec]] = {}
    noise_selectors: ClassVar[list[str]] = []
    field_order: ClassVar[dict[str, tuple[str, ...]]] = {}
    field_sources: ClassVar[dict[str, dict[str, Source]]] = {}
    ignore_structured: ClassVar[frozenset[str]] = frozenset()
    generic_body: ClassVar[bool] = True
    portal_names: ClassVar[tuple[str, ...]] = ()
    watermark_rules: ClassVar[list[str]] = []
    min_body_chars: ClassVar[int] = 20

    min_articles: ClassVar[int | None] = None  # monitoring: fewest articles a run should store or hold
    mobile_hosts: ClassVar[dict[str, str]] = {}
    render_js: ClassVar[bool | str] = False
    wait_selector: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.site_rules()  # a selector for an unknown field fails at import, not on the first page

    def __init__(self, *args: Any, start_urls: str | None = None, url: str | None = None,
                 limit: str | int | None = None, since: str | None = None, full: str | bool = False,
                 wait_selector: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # every argument is checked here, before the crawl starts (ArgumentError: one line naming it)
        self.single_url = url_arg("url", url) if url is not None else None
        override = urls_arg("start_urls", start_urls)
        if override:
            self.start_urls = override
            self.feed_urls = []
            self.sitemap_urls = []
        self.limit = int_arg("limit", limit, minimum=1)
        self.since: date | None = day_arg("since", since)
        self.full = bool(bool_arg("full", full))
        if wait_selector:
            self.wait_selector = wait_selector
        self.articles_seen = 0
        self.last_rejection: str | None = None
        self._requested: set[int] = set()  # hashes of the URLs linked so far (see first_link)
        self._article_re = re.compile(self.article_url_pattern) if self.article_url_pattern else None
        extra_hosts = [urlparse(u).hostname for u in [*override, *([url] if url else [])]]
        if getattr(self, "allowed_domains", None) is not None and extra_hosts:
            self.allowed_domains = list(dict.fromkeys([*self.allowed_domains, *(h for h in extra_hosts if h)]))
        self.rules = self.site_rules()

    @classmethod
    def site_rules(cls) -> SiteRules:
        """The site's declarations as the extraction reads them (a typo in a field name raises here)."""
        return SiteRules(selectors=cls.selectors, noise=tuple(cls.noise_selectors), order=cls.field_order,
                         sources=cls.field_sources, ignore_structured=frozenset(cls.ignore_structured),
                         generic_body=cls.generic_body, portal_names=tuple(cls.portal_names),
                         timezone=cls.timezone, page_timezone=cls.page_timezone)

    @classmethod
    def argument_names(cls) -> set[str]:
        """The ``-a`` arguments the spider takes: the named parameters of the ``__init__`` of its classes."""
        names: set[str] = set()
        for klass in cls.__mro__[:cls.__mro__.index(ArticleSpider) + 1]:
            init = klass.__dict__.get("__init__")
            if init is not None:
                names.update(name for name, p in inspect.signature(init).parameters.items()
                             if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        return names

    @classmethod
    def check_arguments(cls, arguments: Mapping[str, Any], settings: BaseSettings | None = None) -> None:
        """Raise ``ArgumentError`` for a spider argument this spider refuses (``scrapy crawl`` calls it first)."""
        known_args(arguments, cls.argument_names(), cls.name)
        cls(**dict(arguments))

    # Sources ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.single_url:
            yield self.article_request(self.single_url)
            return
        for url in self.start_urls:
            if self.is_article_url(url):
                yield self.article_request(url)
            else:
                yield Request(url, callback=self.parse_list, errback=self.on_error, meta={"list_page": 1},
                              dont_filter=True)
        for url in self.feed_urls:
            yield Request(url, callback=self.parse_feed, errback=self.on_error, dont_filter=True)
        for url in self.sitemap_urls:
            yield Request(url, callback=self.parse_sitemap, errback=self.on_error, dont_filter=True)

    def is_article_url(self, url: str) -> bool:
        return bool(self._article_re and self._article_re.search(url))

    def article_request(self, url: str, **meta: Any) -> Request:
        return Request(url, callback=self.parse_article, errback=self.on_error, meta={"article": True, **meta})

    def article_links(self, response: TextResponse) -> Iterator[str]:
        """Absolute URLs of the articles linked from a list page, in page order."""
        for href in response.xpath("//a/@href").getall():
            href = href.strip()
            if href and not href.startswith(("javascript:", "mailto:", "#")):
                url = response.urljoin(href)
                if url.startswith(("http://", "https://")) and self.is_article_url(url):
                    yield url

    def first_link(self, url: str) -> bool:
        """True the first time this run links ``url``: a URL found again on another page needs no new request.

        Scrapy's duplicate filter would drop the second request anyway, but only after the request is built
        and the middlewares (pending set, incremental check) have looked it up in the state.
        """
        key = hash(url)
        if key in self._requested:
            return False
        self._requested.add(key)
        return True

    def parse(self, response: Response, **kwargs: Any) -> Any:
        return self.parse_list(response)

    def parse_list(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self.reject(response, "not_html", f"list page is not HTML ({content_type(response)})")
            return
        self.crawler.stats.inc_value("pages/list")
        links = list(dict.fromkeys(self.article_links(response)))
        self.crawler.stats.inc_value("articles/found", len(links))
        for url in links:
            if self.limit_reached():
                return
            if self.first_link(url):
                yield self.article_request(url)
        page = response.meta.get("list_page", 1)
        if page < self.max_list_pages:
            next_url = find_next_page(response.selector, response.url, self.list_next_page)
            if next_url:
                yield Request(next_url, callback=self.parse_list, errback=self.on_error,
                              meta={"list_page": page + 1}, priority=-1)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        sel = Selector(text=response.text if isinstance(response, TextResponse) else response.body.decode(
            "utf-8", "replace"), type="xml")
        entries = sel.xpath("//*[local-name()='item' or local-name()='entry']")
        if not entries:
            self.reject(response, "bad_feed", "no RSS items or Atom entries")
            return
        self.crawler.stats.inc_value("pages/feed")
        for entry in entries:
            link = (entry.xpath("./*[local-name()='link']/@href").get()
                    or entry.xpath("./*[local-name()='link']/text()").get() or "").strip()
            when = entry.xpath("./*[local-name()='pubDate' or local-name()='published' or local-name()='updated'"
                               " or local-name()='date']/text()").get()
            if link and not self.too_old(when):
                self.crawler.stats.inc_value("articles/found")
                if self.limit_reached():
                    return
                yield self.article_request(response.urljoin(link))

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.text, base_url=response.url):
                yield Request(url, callback=self.parse_sitemap, errback=self.on_error)
            return
        body = response.body
        if response.url.endswith(".gz") or body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:
                self.reject(response, "bad_sitemap", f"corrupt gzip ({exc})")
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types on garbage
            self.reject(response, "bad_sitemap", f"unparsable sitemap: {exc}")
            return
        self.crawler.stats.inc_value("pages/sitemap")
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            elif self.is_article_url(loc) and not self.too_old(entry.get("lastmod")):
                self.crawler.stats.inc_value("articles/found")
                if self.limit_reached():
                    return
                yield self.article_request(loc)

    # Articles -----------------------------------------------------------------------------

    def now(self, response: Response | Request) -> datetime:
        captured = response.meta.get("captured_at")
        if captured:
            return datetime.fromisoformat(captured)
        return datetime.now(get_tz(self.timezone)).replace(microsecond=0)

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.reject(response, "not_html", f"not an HTML page ({content_type(response)})")
            return
        if not response.body.strip():
            self.reject(response, "empty_page", "empty body")
            return
        if kind := binary_kind(response.body):
            self.reject(response, "binary", f"{kind} ({content_type(response)})")
            return
        now = self.now(response)
        try:
            page = extract_page(response.url, html_selector(response), self.rules, now)
        except RecursionError:
            self.reject(response, "too_deep", "markup nested too deep to read")
            return
        except ValueError as exc:  # lxml refuses some damaged documents
            self.reject(response, "unparsable", f"unreadable markup ({exc})")
            return
        page = self.adjust_page(page, response)
        if self.looks_like_list_page(page, response.url):
            self.reject(response, "not_article", "not an article URL and no article container (a list page?)")
            return
        parts: list[Page] = [*response.meta.get("article_parts", []), page]
        seen = {p.url for p in parts}
        follow = response.meta.get("follow_pages", True)
        if follow and page.next_page and page.next_page not in seen and len(parts) < MAX_ARTICLE_PAGES:
            meta = {key: response.meta[key] for key in ARTICLE_META if key in response.meta}
            yield Request(page.next_page, callback=self.parse_article, errback=self.on_error, priority=1,
                          meta={**meta, "article_parts": parts, "article_part": len(parts) + 1})
            return
        yield from self.build_item(parts, now, response)

    def looks_like_list_page(self, page: Page, url: str) -> bool:
        """A page the site's article container misses, at a URL its pattern rejects, whose generic body is no
        prose: the generic layer would make an "article" of its teasers. A bare site root is exempt (a saved
        page whose own URL was lost), and so is a page that reads as prose (an article in an older template
        at an older URL form)."""
        return (page.layers.get("body") == "generic" and bool(self.selectors.get("body"))
                and self._article_re is not None and urlparse(url).path not in ("", "/")
                and not self.is_article_url(url) and not reads_as_prose(page.body))

    def adjust_page(self, page: Page, response: TextResponse) -> Page:
        """Hook: correct one page's extraction where a site needs code (``page.discard(field)``)."""
        return page

    def build_item(self, parts: list[Page], now: datetime, response: Response | Request) -> Iterator[ArticleItem]:
        first = parts[0]
        url = response.meta.get("article_url") or first.url
        body = [line for part in parts for line in part.body]
        if sum(len(line) for line in body) < self.min_body_chars:
            self.reject(response, "no_body", "no article body found", url=url)
            return
        if self.too_old(first.published_at):
            self.crawler.stats.inc_value("articles/skipped_since")
            return
        if self.limit is not None and self.articles_seen >= self.limit:
            raise CloseSpider("limit")
        self.articles_seen += 1
        stats = self.crawler.stats
        if not first.title:
            stats.inc_value("extraction/missing/title")
        for name in first.fallbacks():
            stats.inc_value(f"extraction/fallback/{name}")
        for name, layer in first.layers.items():
            stats.inc_value(f"extraction/{layer}/{name}")
        if len(parts) > 1:
            stats.inc_value("articles/multipage")
        stats.inc_value("articles/extracted")
        extra: dict[str, Any] = {}
        for part in parts:  # the editor line often closes the last page
            extra.update({k: v for k, v in part.extra.items() if k not in extra})
        if first.extra.get("timezone") == "unknown":
            stats.inc_value("extraction/timezone_unknown")
        furniture = [removed for part in parts for removed in part.furniture]
        if furniture:
            stats.inc_value("cleaning/furniture", len(furniture))
            if self.settings.getbool("CLEANING_LOG"):
                extra["cleaning_log"] = [{"line": line, "kind": "furniture", "rule": rule} for line, rule in furniture]
        yield ArticleItem(
            url=first.url, canonical_url=first.canonical_url, site=self.name, title=first.title or "",
            published_at=first.published_at, updated_at=first.updated_at, authors=first.authors,
            source=first.source, category=first.category, tags=first.tags, language=first.language,
            body=body, images=list(dict.fromkeys(img for part in parts for img in part.images)), pages=len(parts),
            crawled_at=now, extraction=dict(sorted(first.layers.items())),
            cleaning={"furniture": len(furniture)} if furniture else {}, extra=extra,
        )

    # Helpers ------------------------------------------------------------------------------

    def limit_reached(self) -> bool:
        return self.limit is not None and self.articles_seen >= self.limit

    def too_old(self, when: datetime | str | None) -> bool:
        """Published before ``-a since``; ``when`` is a parsed date, or a feed's or sitemap's date text."""
        if self.since is None or not when:
            return False
        dt = parse_date(when, self.timezone) if isinstance(when, str) else when
        return dt is not None and dt.astimezone(get_tz(self.timezone)).date() < self.since

    def on_error(self, failure: Failure) -> Iterator[ArticleItem]:
        """Errback of every request: a failed download is one log line and ``articles/failed/<error>``; a
        request skipped as already stored (``AlreadyStored``) is a DEBUG line.

        When a later page of a multi-page article fails, the pages already read still make the
        article (``pages`` says how many; ``articles/incomplete`` counts it).
        """
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL that was linked
        name = type(failure.value).__name__
        if failure.check(AlreadyStored):  # an incremental skip, counted as incremental/skipped: not a failure
            logger.debug("Skipped %s: %s", url, failure.getErrorMessage(), extra={"spider": self})
            return
        if failure.check(HttpError):  # with an errback, HttpErrorMiddleware neither logs nor counts it
            status = failure.value.response.status
            message = f"HTTP {status}"
            self.crawler.stats.inc_value(f"articles/failed/http_{status}")
        else:
            message = failure.getErrorMessage()
        if url != request.url:
            message += f" (after {len(request.meta['redirect_urls'])} redirects, last {request.url})"
        parts = request.meta.get("article_parts")
        if parts:
            logger.warning("Page %d of %s failed (%s: %s): storing the %d pages read", len(parts) + 1, parts[0].url,
                           name, message, len(parts), extra={"spider": self})
            self.crawler.stats.inc_value("articles/incomplete")
            yield from self.build_item(parts, self.now(request), request)
            return
        logger.warning("No article from %s: %s: %s", url, name, message, extra={"spider": self})
        self.crawler.stats.inc_value(f"articles/failed/{name}")

    def reject(self, response: Response | Request, reason: str, message: str, url: str | None = None) -> None:
        """A page that gives no article: one log line with the URL and reason, one stat."""
        logger.warning("No article from %s: %s", url or response.url, message, extra={"spider": self})
        self.crawler.stats.inc_value(f"articles/rejected/{reason}")
        self.last_rejection = reason
