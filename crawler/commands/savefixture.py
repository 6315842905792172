from __future__ import annotations

import argparse
import re
import shutil
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from crawler.browser import render_mode, render_page, wait_selector
from crawler.commands.extract import check_page_options
from crawler.extract.dates import get_tz, to_iso
from crawler.fixtures import FIXTURES_DIR, Fixture, item_diff, load_fixtures, run_fixture
from crawler.offline import OfflineExtractor


def check_savefixture_options(settings: BaseSettings, args: list[str], opts: argparse.Namespace) -> None:
    """One line for each mistake a person may make in the options, before anything is fetched or written."""
    if not Path(opts.fixtures).is_dir():
        raise UsageError(f"--fixtures {opts.fixtures!r}: no such folder", print_help=False)
    if opts.case and not re.fullmatch(r"[\w.-]+", opts.case):
        raise UsageError(f"--case {opts.case!r}: expected a file name (letters, digits, _ . -)", print_help=False)
    if args and not args[0].startswith(("http://", "https://")) and not Path(args[0]).is_file():
        raise UsageError(f"{args[0]}: no such file (or give an http:// or https:// URL)", print_help=False)
    check_page_options(settings, opts)


def fetch_error(exc: Exception) -> str:
    """One line for a failed download: ``HTTP 404 Not Found``, ``connection refused``..."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


class Command(ScrapyCommand):
    """Writes a fixture from a URL or a saved file, or refreshes the expected items of existing ones."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "(URL | FILE --url URL) --spider NAME --case NAME | --refresh [--spider NAME]"

    def short_desc(self) -> str:
        return "Save a page as a fixture with its expected item (shows the diff before overwriting)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL of the page when a FILE is given")
        parser.add_argument("--spider", help="spider the fixture belongs to")
        parser.add_argument("--case", help="case name: fixtures/<spider>/<case>.html")
        parser.add_argument("--content-type", default="text/html", help="Content-Type of a FILE (default text/html)")
        parser.add_argument("--captured-at", help="ISO time the page was captured (default: now)")
        parser.add_argument("--refresh", action="store_true", help="re-extract every existing fixture")
        parser.add_argument("--yes", action="store_true", help="write without asking")
        parser.add_argument("--fixtures", default=str(FIXTURES_DIR), help="fixture folder (default: the project's)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_savefixture_options(self.settings, args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        extractor = OfflineExtractor(self.settings)
        if opts.refresh:
            fixtures = [f for f in load_fixtures(Path(opts.fixtures)) if not opts.spider or f.spider == opts.spider]
            for fixture in fixtures:
                self._save(extractor, fixture, opts.yes)
            return
        if len(args) != 1 or not opts.spider or not opts.case:
            raise UsageError("URL or FILE, --spider and --case are required")
        html_path = Path(opts.fixtures) / opts.spider / f"{opts.case}.html"
        html_path.parent.mkdir(parents=True, exist_ok=True)
        source = args[0]
        if source.startswith(("http://", "https://")):
            spidercls = extractor.loader.load(opts.spider)
            try:
                if render_mode(spidercls) != "off":  # a JS site: the fixture keeps the rendered DOM
                    url, headers = self._render(source, spidercls, html_path)
                else:
                    url, headers = self._download(source, html_path)
            except (OSError, ValueError) as exc:  # urllib's HTTPError/URLError are OSErrors
                print(f"savefixture: cannot fetch {source}: {fetch_error(exc)}", file=sys.stderr)
                self.exitcode = 1
                return
        else:
            if not opts.url:
                raise UsageError("--url is required with a FILE")
            if Path(source).resolve() != html_path.resolve():
                shutil.copyfile(source, html_path)
            url, headers = opts.url, {"Content-Type": opts.content_type}
        captured = opts.captured_at or to_iso(datetime.now(get_tz("Asia/Shanghai")).replace(microsecond=0))
        old = next((f for f in load_fixtures(Path(opts.fixtures))
                    if f.spider == opts.spider and f.case == opts.case), None)
        fixture = Fixture(opts.spider, opts.case, url, headers, old.captured_at if old and not opts.captured_at
                          else captured or "", old.item if old else None, html_path)
        self._save(extractor, fixture, opts.yes or old is None)

    def _download(self, url: str, html_path: Path) -> tuple[str, dict[str, str]]:
        assert self.settings is not None
        request = urllib.request.Request(url, headers={"User-Agent": self.settings.get("USER_AGENT")})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http(s), checked by the caller
            html_path.write_bytes(response.read())
            return response.geturl(), {"Content-Type": response.headers.get("Content-Type", "text/html")}

    def _render(self, url: str, spidercls: type, html_path: Path) -> tuple[str, dict[str, str]]:
        assert self.settings is not None
        page = render_page(url, wait_for=wait_selector(spidercls),  # type: ignore[arg-type]
                           options=self.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
                           user_agent=self.settings.get("USER_AGENT"))
        html_path.write_text(page.html, encoding="utf-8")
        return page.url, {"Content-Type": "text/html; charset=utf-8"}

    @staticmethod
    def _save(extractor: OfflineExtractor, fixture: Fixture, yes: bool) -> None:
        new = run_fixture(extractor, fixture)
        exists = fixture.json_path.exists()
        diff = item_diff(fixture.item, new) if exists else []
        name = f"{fixture.spider}/{fixture.case}"
        if exists and not diff:
            print(f"{name}: unchanged")
            return
        if diff:
            print(f"{name}:\n" + "\n".join("  " + line for line in diff))
        if exists and not yes:
            if not sys.stdin.isatty():
                print(f"{name}: not written (use --yes)")
                return
            if input(f"overwrite {name}? [y/N] ").strip().lower() != "y":
                return
        fixture.item = new
        fixture.json_path.write_text(fixture.to_json(), encoding="utf-8")
        print(f"{name}: written ({'no article' if new is None else 'an article'})")
