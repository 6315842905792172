"""``scrapy crawlall [SPIDER ...]``: the cron entry point, with a lock, a run report and a meaningful exit code."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy import signals
from scrapy.commands import BaseRunSpiderCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run is still going; cron tries again next time
SKIPPED_BY_DEFAULT = ("generic",)  # needs -a start_urls


def _sum(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}


def spider_summary(stats: dict[str, Any], reason: str | None, duration: float, max_fallback_rate: float,
                   min_articles: int) -> dict[str, Any]:
    """One spider's line of the run report, with the problems that make the run fail."""
    extracted = int(stats.get("articles/extracted", 0))
    stored = int(stats.get("store/items", 0))
    duplicates = _sum(stats, "dedup/")
    drops = {**{f"rejected/{k}": v for k, v in _sum(stats, "articles/rejected/").items()},
             **{f"validate/{k}": v for k, v in _sum(stats, "validate/dropped/").items()}}
    errors = int(stats.get("log_count/ERROR", 0)) + sum(_sum(stats, "spider_exceptions/").values())
    fallback_rates = {k: round(v / extracted, 3) for k, v in _sum(stats, "extraction/fallback/").items()
                      if extracted}
    found = int(stats.get("articles/new_urls", 0)) + int(stats.get("pending/resumed", 0)) + extracted
    problems = []
    if reason is None:
        problems.append("did not run (failed to start)")
    elif reason not in ("finished", "limit") and not reason.startswith("closespider_"):
        problems.append(f"ended with {reason!r}")
    if stats.get("downloader/request_count") and not stats.get("response_received_count"):
        problems.append("every request failed")
    if stored == 0 and extracted - sum(duplicates.values()) > 0:
        problems.append(f"stored nothing although it extracted {extracted} new article(s)")
    elif stored == 0 and extracted == 0 and int(stats.get("articles/new_urls", 0)) > 0:
        problems.append(f"stored nothing although it found {stats['articles/new_urls']} new article URL(s)")
    worst = max(fallback_rates.items(), key=lambda kv: kv[1], default=None)
    if worst and extracted >= min_articles and worst[1] > max_fallback_rate:
        problems.append(f"extraction fallback rate of {worst[0]} is {worst[1]:.0%} (> {max_fallback_rate:.0%}):"
                        " the site may have changed its layout")
    return {
        "status": "failed" if problems else "ok", "problems": problems, "finish_reason": reason,
        "pages_fetched": int(stats.get("response_received_count", 0)), "list_pages": int(stats.get("pages/list", 0)),
        "articles_found": found, "articles_extracted": extracted, "articles_stored": stored,
        "skipped_stored": int(stats.get("incremental/skipped", 0)), "duplicates": duplicates, "drops": drops,
        "errors": errors, "fallback_rates": fallback_rates, "duration_s": round(duration, 1),
    }


def format_table(spiders: dict[str, dict[str, Any]]) -> str:
    head = ("spider", "status", "pages", "stored", "skipped", "dup url/exact/near", "drops", "errors",
            "max fallback", "secs")
    rows = [head]
    for name, s in spiders.items():
        d = s["duplicates"]
        worst = max(s["fallback_rates"].values(), default=0.0)
        rows.append((name, s["status"], str(s["pages_fetched"]), str(s["articles_stored"]), str(s["skipped_stored"]),
                     f"{d.get('url', 0)}/{d.get('exact', 0)}/{d.get('near_duplicate', 0)}",
                     str(sum(s["drops"].values())), str(s["errors"]), f"{worst:.0%}", f"{s['duration_s']:.0f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for name, s in spiders.items():
        lines += [f"{name}: {p}" for p in s["problems"]]
    return "\n".join(lines)


class Command(BaseRunSpiderCommand):
    """Runs the given spiders (default: all but ``generic``) in one process, concurrently.

    Holds ``DATA_DIR/crawlall.lock`` (fcntl, non-blocking): an overlapping run exits at once
    with code 75. Writes ``DATA_DIR/runs/<UTC timestamp>.json`` and prints the same as a table.
    Exits 1 when a spider failed (did not start, ended abnormally, every request failed),
    stored nothing although it found new articles, or its extraction fallback rate for a
    field passed ``CRAWLALL_MAX_FALLBACK_RATE`` (default 0.5, judged from
    ``CRAWLALL_MIN_ARTICLES`` extracted articles, default 10). ``-a`` arguments go to every spider.
    """

    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "INFO"}

    def syntax(self) -> str:
        return "[options] [SPIDER ...]"

    def short_desc(self) -> str:
        return "Run spiders for cron: lock, run report in DATA_DIR/runs, non-zero exit on failure"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        settings = self.settings
        data_dir = Path(settings.get("DATA_DIR", "data"))
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = self._lock(data_dir / "crawlall.lock")
        if lock is None:
            self.exitcode = EXIT_LOCKED
            return
        try:
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
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        handle.flush()
        return handle

    def _run(self, args: list[str], opts: argparse.Namespace, data_dir: Path) -> int:
        assert self.settings is not None and self.crawler_process is not None
        process = self.crawler_process
        names = list(dict.fromkeys(args)) or [n for n in sorted(process.spider_loader.list())
                                               if n not in SKIPPED_BY_DEFAULT]
        if not names:
            raise UsageError("no spiders to run")
        started = datetime.now(UTC)
        outcomes: dict[str, dict[str, Any]] = {}
        crawlers: dict[str, Crawler] = {}
        t0 = time.monotonic()
        for name in names:
            outcomes[name] = {"reason": None, "stats": {}, "duration": 0.0}
            try:
                crawler = process.create_crawler(name)
            except KeyError:
                print(f"crawlall: unknown spider {name!r}", file=sys.stderr)
                continue
            crawlers[name] = crawler
            crawler.signals.connect(self._closed_handler(crawler, outcomes[name], t0), signal=signals.spider_closed,
                                    weak=False)
            process.crawl(crawler, **opts.spargs)
        if crawlers:
            process.start()
        max_rate = self.settings.getfloat("CRAWLALL_MAX_FALLBACK_RATE", 0.5)
        min_articles = self.settings.getint("CRAWLALL_MIN_ARTICLES", 10)
        spiders = {name: spider_summary(o["stats"], o["reason"], o["duration"], max_rate, min_articles)
                   for name, o in outcomes.items()}
        finished = datetime.now(UTC)
        report = {
            "started_at": started.isoformat(timespec="seconds"), "finished_at": finished.isoformat(timespec="seconds"),
            "ok": all(s["status"] == "ok" for s in spiders.values()),
            "settings": {"CRAWLALL_MAX_FALLBACK_RATE": max_rate, "CRAWLALL_MIN_ARTICLES": min_articles},
            "spiders": spiders,
        }
        runs = data_dir / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        path = runs / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(format_table(spiders))
        print(f"report: {path}")
        return 0 if report["ok"] else EXIT_FAILED

    @staticmethod
    def _closed_handler(crawler: Crawler, outcome: dict[str, Any], t0: float):  # type: ignore[no-untyped-def]
        def closed(spider: Any, reason: str) -> None:
            outcome["reason"] = reason
            outcome["duration"] = time.monotonic() - t0
            outcome["stats"] = dict(crawler.stats.get_stats() or {}) if crawler.stats else {}

        return closed
