"""The headless browser behind JavaScript-rendered pages: Debian's Chromium driven by scrapy-playwright.

``playwright install`` cannot download a browser here, so the crawler launches the ``chromium``
Debian package (``apt-get install chromium``; ``make setup`` does it) through
``PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"]``.

- ``launch_options()``: the launch options that work on this stack;
- ``should_abort_request(request)``: the ``PLAYWRIGHT_ABORT_REQUEST`` predicate (no images, media,
  fonts or stylesheets);
- ``render_mode(spider)`` / ``wants_render(spider, request)``: which requests go through the browser;
- ``wait_selector(spider)``: the article container to wait for (``wait_selector``, else the CSS of the
  ``body`` selector);
- ``browser_problem(settings)``: why the configured browser cannot start, with the fix, or None;
- ``render_page(url, wait_for=...)``: the rendered DOM of one page, blocking, for fixtures of JS sites;
- ``LazyPlaywrightDownloadHandler``: scrapy-playwright's download handler, but the Playwright driver
  starts on the first browser request, so a spider that renders nothing never starts it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

from scrapy.utils.misc import load_object
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",  # root in a container: Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is 64 MB in containers
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = "install it with `apt-get install -y chromium` (`make setup` does)"

# Resource types the article text never needs (Playwright's ``Request.resource_type``).
ABORTED_RESOURCE_TYPES = frozenset({"image", "media", "font", "stylesheet"})
# Requests that must never be rendered, whatever the spider says: robots.txt, feeds, sitemaps, data.
_NOT_HTML_SUFFIXES = (".xml", ".rss", ".atom", ".gz", ".json", ".txt", ".pdf")

RenderMode = Literal["off", "articles", "all"]


def launch_options(executable_path: str = CHROMIUM_PATH) -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS`` for Debian's Chromium, headless, in a container."""
    return {"executable_path": executable_path, "headless": True, "args": list(CHROMIUM_ARGS)}


def should_abort_request(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: abort what the article text never needs (images, media, fonts, CSS)."""
    return request.resource_type in ABORTED_RESOURCE_TYPES


def render_mode(spider: Spider | None) -> RenderMode:
    """The spider's ``render_js``: False -> ``off``; True or ``"articles"`` -> article pages; ``"all"``."""
    value = getattr(spider, "render_js", False)
    if isinstance(value, str):
        value = value.strip().lower()
        if value == "all":
            return "all"
        return "articles" if value in ("1", "true", "yes", "articles") else "off"
    return "articles" if value else "off"


def wants_render(spider: Spider | None, request: Request) -> bool:
    """Whether ``request`` goes through the browser.

    Request meta ``render_js`` (True/False) decides for one request; otherwise the spider's
    ``render_js``: article requests (meta ``article``) only, or every page with ``"all"``.
    robots.txt, feeds, sitemaps and other non-HTML URLs always go over plain HTTP.
    """
    if urlparse(request.url).path.lower().endswith(_NOT_HTML_SUFFIXES):
        return False
    explicit = request.meta.get("render_js")
    if explicit is not None:
        return bool(explicit)
    mode = render_mode(spider)
    if mode == "all":
        return True
    return mode == "articles" and bool(request.meta.get("article"))


_PARSEL_ONLY = ("::text", "::attr(")


def wait_selector(spider: Spider | None) -> str | None:
    """What to wait for: the spider's ``wait_selector``, else the CSS entries of its ``body`` selector.

    XPath entries and parsel-only pseudo-elements (``::text``, ``::attr()``) are left out of the
    fallback, since Chromium cannot wait for them.
    """
    declared = getattr(spider, "wait_selector", None)
    if declared:
        return str(declared)
    body = (getattr(spider, "selectors", None) or {}).get("body")
    specs = [body] if isinstance(body, str) else list(body or [])
    css = [s for s in specs if isinstance(s, str) and s and not s.startswith(("/", "(", "./"))
           and not any(p in s for p in _PARSEL_ONLY)]
    return ", ".join(css) or None


def executable_path(settings: BaseSettings) -> str | None:
    """The browser executable the crawl will launch (None when it connects to a remote browser)."""
    if settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"):
        return None
    options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {}
    return str(options.get("executable_path") or "")


def browser_problem(settings: BaseSettings) -> str | None:
    """Why the configured browser cannot be launched, with the fix; None when it can (or is remote)."""
    path = executable_path(settings)
    if path is None:
        return None
    if not path:
        return (f"PLAYWRIGHT_LAUNCH_OPTIONS has no executable_path and `playwright install` cannot download "
                f"a browser here: set it to {CHROMIUM_PATH} and {INSTALL_HINT}")
    resolved = path if os.sep in path else shutil.which(path)
    if not resolved or not os.path.isfile(resolved) or not os.access(resolved, os.X_OK):
        return f"Chromium not found at {path}: {INSTALL_HINT}"
    return None


def handler_problem(settings: BaseSettings) -> str | None:
    """Why browser requests would silently go over plain HTTP (no playwright handler), or None."""
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        path = handlers.get(scheme)
        cls = load_object(path) if isinstance(path, str) else path
        if not (isinstance(cls, type) and issubclass(cls, ScrapyPlaywrightDownloadHandler)):
            return (f"DOWNLOAD_HANDLERS[{scheme!r}] is {path!r}, not a scrapy-playwright handler: set it to "
                    f"'crawler.browser.LazyPlaywrightDownloadHandler' or pages are fetched without rendering")
    return None


@dataclass
class RenderedPage:
    url: str  # after redirects
    html: str  # the rendered DOM, serialized
    status: int | None


def render_page(url: str, *, wait_for: str | None = None, timeout_ms: float = 15000,
                options: dict[str, Any] | None = None, user_agent: str | None = None) -> RenderedPage:
    """The DOM of ``url`` after its scripts ran, as the crawl sees it: for fixtures of JS sites.

    Blocking (Playwright's sync API: call it outside an event loop), one browser per call. Waits for
    ``wait_for`` (a CSS selector) or, without one, for network idle; aborts what ``should_abort_request``
    aborts. Raises ``FileNotFoundError`` with the install hint when the browser is missing.
    """
    from playwright.sync_api import Route, sync_playwright

    options = options or launch_options()
    path = str(options.get("executable_path") or "")
    if not path or not os.access(path, os.X_OK):
        raise FileNotFoundError(f"Chromium not found at {path or '(no executable_path)'}: {INSTALL_HINT}")

    def route(route: Route) -> None:
        if should_abort_request(route.request):
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**options)
        try:
            context = browser.new_context(user_agent=user_agent) if user_agent else browser.new_context()
            page = context.new_page()
            page.route("**", route)
            response = page.goto(url, wait_until="load" if wait_for else "networkidle", timeout=timeout_ms * 2)
            if wait_for:
                page.wait_for_selector(wait_for, state="attached", timeout=timeout_ms)
            return RenderedPage(page.url, page.content(), response.status if response else None)
        finally:
            browser.close()


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler for http/https, with the Playwright driver started on first use.

    scrapy-playwright starts its Node driver when the engine starts, for every spider; Chromium itself
    only starts with the first browser context. This subclass defers both to the first request with
    meta ``playwright``: requests without it go through Scrapy's HTTP/1.1 handler and a spider that
    renders nothing starts no extra process. Settings: all ``PLAYWRIGHT_*`` settings of scrapy-playwright.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._launched = False
        self._launch_lock = asyncio.Lock()

    async def _maybe_launch_in_thread(self) -> None:  # engine_started: start nothing yet
        return None

    def _engine_started(self) -> Any:  # Scrapy < 2.14 signal handler
        return None

    async def _ensure_launched(self) -> None:
        async with self._launch_lock:
            if not self._launched:
                await self._launch()
                self._launched = True

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        await self._ensure_launched()
        return await super()._download_request(request, spider)
