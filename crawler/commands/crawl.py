"""``scrapy crawl SPIDER``: Scrapy's command, with an exit code a cron user can trust.

Scrapy's own ``crawl`` exits 0 whenever the spider started, even when every write failed or a
monitor failed. This one (a project command replaces the built-in of the same name) checks the
spider arguments, that ``DATA_DIR`` can be written and the state file before starting
(``-s STATE_REBUILD=1`` rebuilds the state from the JSONL first), then exits 1 with one line on
stderr when the spider did not start, was stopped before it closed (a second Ctrl-C), closed
with a finish reason outside ``SPIDERMON_EXPECTED_FINISH_REASONS`` (``store_failed``: a JSONL
write failed; ``shutdown``: Ctrl-C), or failed a monitor (crawler/monitors.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from crawler.arguments import ArgumentError, check_spider_arguments
from crawler.state.rebuild import StateUnreadable, check_state, rebuild_state, state_path


def crawl_problems(settings: BaseSettings, stats: dict[str, Any]) -> list[str]:
    """Why a finished crawl failed (empty when it did not): finish reason, then failed monitors."""
    reason = stats.get("finish_reason")
    if not stats.get("start_time"):
        return ["did not start (see the log)"]
    problems = []
    if reason is None:
        problems.append("stopped before the spider closed (forced stop)")
    elif reason not in settings.getlist("SPIDERMON_EXPECTED_FINISH_REASONS", ["finished"]):
        detail = {"store_failed": str(stats.get("store/error") or "a write to DATA_DIR failed (see the log)"),
                  "shutdown": "stopped by a signal (Ctrl-C)"}.get(reason, "")
        problems.append(f"finish reason {reason!r}" + (f": {detail}" if detail else ""))
    prefix = "monitors/failed/"
    skip = ("Finish Reason Monitor",) if problems else ()  # said above
    problems += [f"{k[len(prefix):]}: {v}" for k, v in sorted(stats.items())
                 if k.startswith(prefix) and k[len(prefix):] not in skip]
    return problems


def folder_problem(settings: BaseSettings) -> str | None:
    """Why ``DATA_DIR`` (or the folder of ``STATE_PATH``) cannot be written, or None. Checked before the crawl: a
    read-only folder is one line, not a state file reported as damaged or a crawl failing at its first write."""
    folders = {}
    if settings.getbool("STORE_ENABLED", True):
        folders[Path(settings.get("DATA_DIR", "data"))] = "DATA_DIR"
    state = state_path(settings)
    if state is not None:
        folders.setdefault(state.parent, "the folder of STATE_PATH")
    for folder, name in folders.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return f"cannot use {name} {folder}: {exc.strerror or exc}"
    return None


def prepare_state(settings: BaseSettings) -> str | None:
    """Before a crawl: check that the folders can be written, then rebuild the state from the JSONL with
    ``STATE_REBUILD``, else check that it is readable. Returns the one-line reason the crawl cannot start, or None."""
    if problem := folder_problem(settings):
        return problem
    try:
        if settings.getbool("STATE_REBUILD"):
            done = rebuild_state(settings)
            print(f"state rebuilt from {done.lines} JSONL line(s): {done.articles} article(s)"
                  + (f", {done.invalid} invalid line(s) skipped" if done.invalid else "")
                  + (f"; the old file is {done.moved_to}" if done.moved_to else ""), file=sys.stderr)
        else:
            check_state(settings)
    except StateUnreadable as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot rebuild the state: {os_error(exc)}"
    return None


def os_error(exc: OSError) -> str:
    """``/data/state.sqlite: Read-only file system``: the file, then the reason."""
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc.strerror or exc)


def check_arguments(settings: BaseSettings, name: str, spargs: dict[str, str]) -> None:
    """Raise ``UsageError`` (one line, no traceback) for an unknown spider or an argument the spider refuses."""
    try:
        spidercls = get_spider_loader(settings).load(name)
    except KeyError:
        raise UsageError(f"unknown spider {name!r} (scrapy list shows them)", print_help=False) from None
    try:
        check_spider_arguments(spidercls, spargs, settings)
    except ArgumentError as exc:
        raise UsageError(str(exc), print_help=False) from None


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) == 1:  # before the crawler process starts: no log banner above the one-line error
            assert self.settings is not None
            check_arguments(self.settings, args[0], opts.spargs)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return
        assert self.crawler_process is not None and self.settings is not None
        problem = prepare_state(self.settings)
        if problem:
            print(f"crawl {args[0]}: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        crawler: Crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        stats = dict(crawler.stats.get_stats() or {}) if crawler.stats else {}
        problems = crawl_problems(crawler.settings, stats)
        if self.crawler_process.bootstrap_failed and not problems:
            problems = ["did not start (see the log)"]
        if problems:
            stored = int(stats.get("store/items", 0))
            print(f"crawl {args[0]}: FAILED ({stored} article(s) stored): {'; '.join(problems)}", file=sys.stderr)
            self.exitcode = 1
