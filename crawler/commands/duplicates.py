"""``scrapy duplicates [--spider NAME] [--limit N] [--json]``: the articles dropped as duplicates, and of what."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from crawler.state import open_store


class Command(ScrapyCommand):
    """Lists the recorded duplicates (newest first) from the state store of ``DATA_DIR`` (or Redis)."""

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--spider NAME] [--limit N] [--json]"

    def short_desc(self) -> str:
        return "List articles dropped as duplicates, with the stored article each duplicates"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", help="only this spider's duplicates")
        parser.add_argument("--limit", type=int, default=None, help="at most N records")
        parser.add_argument("--json", action="store_true", help="one JSON object a line")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        store = open_store(self.settings)
        try:
            records = store.duplicates(site=opts.spider, limit=opts.limit)
        finally:
            store.close()
        if opts.json:
            for record in records:
                print(json.dumps(asdict(record), ensure_ascii=False))
            return
        for r in records:
            similarity = f" {r.similarity:.2f}" if r.kind == "near_duplicate" else ""
            print(f"{r.at}  {r.site}  {r.kind}{similarity}  {r.url}  duplicate_of {r.duplicate_of}")
        print(f"{len(records)} duplicate(s)")
