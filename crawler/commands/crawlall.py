"""``scrapy crawlall [SPIDER ...]``: the cron entry point, with a lock, a run report and a meaningful exit code."""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy.commands import BaseRunSpiderCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.commands.crawl import check_arguments, crawl_problems, prepare_state
from crawler.report import format_table, spider_summary, write_report

EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run is still going; cron tries again next time
SKIPPED_BY_DEFAULT = ("generic",)  # needs -a start_urls


class Command(BaseRunSpiderCommand):
    """Runs the given spiders (default: all but ``generic``) in one process, concurrently.

    Holds ``DATA_DIR/crawlall.lock`` (fcntl, non-blocking): an overlapping run exits at once
    with code 75. Prints a table, then writes ``DATA_DIR/runs/<UTC timestamp>.json`` and ``.html``
    and ``runs/index.html`` (crawler/report.py); a report that cannot be written (full disk) is
    one line on stderr and exit 1. A spider fails when it did not start, was stopped before it
    closed, closed with an unexpected finish reason or failed a monitor (crawler/monitors.py, run
    by spidermon when each spider closes); the report names the failing monitors. Exits 1 when a
    spider failed. ``-a`` arguments go to every spider, checked before any crawl starts.
    """

    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[options] [SPIDER ...]"

    def short_desc(self) -> str:
        return "Run spiders for cron: lock, run report in DATA_DIR/runs, non-zero exit on failure"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name in self.spider_names(args):  # unknown spiders and bad -a values: one line, before any crawl
            check_arguments(self.settings, name, opts.spargs)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        data_dir = Path(self.settings.get("DATA_DIR", "data"))
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            lock = self._lock(data_dir / "crawlall.lock")
        except OSError as exc:
            print(f"crawlall: cannot use DATA_DIR {data_dir}: {exc.strerror or exc}", file=sys.stderr)
            self.exitcode = EXIT_FAILED
            return
        if lock is None:
            self.exitcode = EXIT_LOCKED
            return
        try:
            problem = prepare_state(self.settings)
            if problem:
                print(f"crawlall: {problem}", file=sys.stderr)
                self.exitcode = EXIT_FAILED
                return
            self.exitcode = self._run(args, opts, data_dir)
        finally:
            lock.close()

    @staticmethod
    def _lock(path: Path) -> IO[str] | None:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            print(f"crawlall: another run holds {path} ({holder}); exiting without crawling", file=sys.stderr)
            return None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
            handle.flush()
        except OSError:
            pass  # a full disk: the lock holds without its note; the crawl reports the disk itself
        return handle

    def _run(self, args: list[str], opts: argparse.Namespace, data_dir: Path) -> int:
        assert self.settings is not None and self.crawler_process is not None
        process = self.crawler_process
        names = self.spider_names(args)
        started = datetime.now(UTC)
        crawlers: dict[str, Crawler] = {}
        for name in names:
            crawlers[name] = crawler = process.create_crawler(name)
            process.crawl(crawler, **opts.spargs)
        process.start()
        spiders = {}
        for name, crawler in crawlers.items():
            stats = dict(crawler.stats.get_stats() or {}) if crawler.stats else {}
            spiders[name] = spider_summary(stats, crawl_problems(crawler.settings, stats))
        finished = datetime.now(UTC)
        report = {
            "started_at": started.isoformat(timespec="seconds"), "finished_at": finished.isoformat(timespec="seconds"),
            "ok": all(s["status"] == "ok" for s in spiders.values()), "spiders": spiders,
        }
        print(format_table(spiders), flush=True)  # first: the table reaches the cron mail even when the disk is full
        name = started.strftime("%Y%m%dT%H%M%SZ")
        try:
            paths = write_report(data_dir / "runs", name, report)
        except OSError as exc:
            print(f"crawlall: cannot write the run report to {data_dir / 'runs'}: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_FAILED
        print(f"report: {paths[0]}\nhtml: {paths[1]}")
        return 0 if report["ok"] else EXIT_FAILED

    def spider_names(self, args: list[str]) -> list[str]:
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        names = list(dict.fromkeys(args)) or [n for n in sorted(loader.list()) if n not in SKIPPED_BY_DEFAULT]
        if not names:
            raise UsageError("no spiders to run", print_help=False)
        return names
