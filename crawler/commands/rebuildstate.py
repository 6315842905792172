"""``scrapy rebuildstate``: a new state (SQLite, or Redis with REDIS_URL) from the JSONL files of DATA_DIR."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.commands.crawl import os_error
from crawler.state.rebuild import rebuild_state


class Command(ScrapyCommand):
    """Moves a damaged ``state.sqlite`` aside and registers every valid stored line in a new one."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def short_desc(self) -> str:
        return "Rebuild the dedup/incremental state from the JSONL files (after a damaged state.sqlite)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            done = rebuild_state(self.settings)
        except OSError as exc:
            print(f"rebuildstate: cannot rebuild the state: {os_error(exc)}", file=sys.stderr)
            self.exitcode = 1
            return
        print(f"{done.articles} article(s) from {done.lines} JSONL line(s)"
              + (f", {done.invalid} invalid line(s) skipped" if done.invalid else "")
              + (f"; the old file is {done.moved_to}" if done.moved_to else ""))
