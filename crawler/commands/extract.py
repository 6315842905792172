from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from crawler.arguments import ArgumentError, url_arg
from crawler.offline import OfflineExtractor, Outcome


def check_extract_options(settings: BaseSettings, args: list[str], opts: argparse.Namespace) -> None:
    """Refuse, in one line each, what a person may mistype: a missing file, a URL that is not one, an unknown
    spider, a capture time that is not ISO 8601."""
    for name in ([opts.manifest] if opts.manifest else args[:1]):
        if not Path(name).is_file():
            raise UsageError(f"{name}: no such file", print_help=False)
    check_page_options(settings, opts)


def check_page_options(settings: BaseSettings, opts: argparse.Namespace) -> None:
    """The options ``extract`` and ``savefixture`` share: ``--url``, ``--spider``, ``--captured-at``."""
    if opts.url:
        try:
            url_arg("url", opts.url)
        except ArgumentError:
            raise UsageError(f"--url {opts.url!r}: expected an http:// or https:// URL", print_help=False) from None
    if opts.spider and opts.spider not in get_spider_loader(settings).list():
        raise UsageError(f"--spider {opts.spider!r}: no such spider (scrapy list shows them)", print_help=False)
    if opts.captured_at:
        try:
            datetime.fromisoformat(opts.captured_at)
        except ValueError:
            raise UsageError(f"--captured-at {opts.captured_at!r}: expected an ISO 8601 time such as "
                             "2026-11-23T09:30:00+08:00", print_help=False) from None


class Command(ScrapyCommand):
    """Prints the item of a saved page after the crawl's extraction and cleaning, touching no stored state."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "FILE --url URL [--spider NAME] | --manifest M.jsonl"

    def short_desc(self) -> str:
        return "Extract the article of a saved page and print it as one JSON line"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the URL the page was published at")
        parser.add_argument("--spider", help="spider whose rules to use (default: by the URL's domain, else generic)")
        parser.add_argument("--manifest", help='JSONL of {"path": ..., "url": ..., "spider": NAME or null}')
        parser.add_argument("--captured-at", help="ISO time that anchors relative dates (default: now)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_extract_options(self.settings, args, opts)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        extractor = OfflineExtractor(self.settings)
        if opts.manifest:
            if args:
                raise UsageError("give either FILE or --manifest")
            self.exitcode = self._manifest(extractor, opts.manifest)
            return
        if len(args) != 1 or not opts.url:
            raise UsageError("FILE and --url are required")
        outcome = _one(extractor, {"path": args[0], "url": opts.url, "spider": opts.spider,
                                   "captured_at": opts.captured_at})
        print(json.dumps(outcome.item if outcome.item is not None else {"error": outcome.error}, ensure_ascii=False))
        if outcome.item is None:
            self.exitcode = 1

    @staticmethod
    def _manifest(extractor: OfflineExtractor, manifest: str) -> int:
        """One output line a manifest line, in order; a bad line gets ``{"error": ...}`` and the batch goes on."""
        failures = 0
        try:
            raws = Path(manifest).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--manifest {manifest}: unreadable ({exc})") from None
        for number, raw in enumerate(raws, 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError as exc:
                entry = {"error": f"line {number} is not JSON ({exc})"}
            outcome = _one(extractor, entry)
            failures += outcome.item is None
            print(json.dumps(outcome.item if outcome.item is not None else {"error": outcome.error},
                             ensure_ascii=False), flush=True)
        if failures:
            sys.stderr.write(f"{failures} of the pages gave no article\n")
        return 0


def _one(extractor: OfflineExtractor, entry: Any) -> Outcome:
    """The outcome of one page description ``{"path", "url", "spider", "captured_at"}``, checked field by field."""
    if not isinstance(entry, dict):
        return Outcome(None, "expected a JSON object with path and url")
    if "error" in entry:
        return Outcome(None, str(entry["error"]))
    path, url, spider = entry.get("path"), entry.get("url"), entry.get("spider")
    if not isinstance(path, str) or not path:
        return Outcome(None, "no path")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return Outcome(None, f"{path}: no http(s) url")
    if spider is not None and (not isinstance(spider, str) or spider not in extractor.loader.list()):
        return Outcome(None, f"{path}: unknown spider {spider!r}")
    captured = entry.get("captured_at")
    try:
        datetime.fromisoformat(captured) if captured is not None else None
    except (TypeError, ValueError):
        return Outcome(None, f"{path}: captured_at {captured!r} is not an ISO time")
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        return Outcome(None, f"{path}: unreadable ({exc.strerror or exc})")
    return extractor.extract(body, url, spider, captured_at=captured)
