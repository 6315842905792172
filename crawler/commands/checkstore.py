"""``scrapy checkstore [SPIDER ...] [--quarantine]``: the invalid lines of the JSONL store, and moving them aside."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.state.jsonl import invalid_lines, quarantine, quarantine_path


class Command(ScrapyCommand):
    """Reads every ``DATA_DIR/<spider>/*.jsonl`` file (of the spiders named, or all) and prints each line
    that is not a valid item: file, line number, byte offset, reason and the start of the line.

    ``--quarantine`` moves those lines to ``<file>.quarantine`` (one JSON record each, with the text
    and where it was) and rewrites the file without them; a file a running crawl is writing is left
    alone. Exits 1 when invalid lines remain (listed and not moved), 0 otherwise.
    """

    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[SPIDER ...] [--quarantine]"

    def short_desc(self) -> str:
        return "List the invalid lines of the JSONL store (--quarantine moves them aside)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--quarantine", action="store_true",
                            help="move the invalid lines to <file>.quarantine and rewrite the files without them")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        data_dir = Path(self.settings.get("DATA_DIR", "data"))
        if not data_dir.is_dir():
            raise UsageError(f"DATA_DIR {data_dir} is not a folder", print_help=False)
        folders = [data_dir / name for name in args] if args else sorted(p for p in data_dir.iterdir() if p.is_dir())
        missing = [f.name for f in folders if not f.is_dir()]
        if missing:
            raise UsageError(f"no stored articles for {', '.join(missing)} in {data_dir}", print_help=False)
        files = total = moved = 0
        for path in (p for folder in folders for p in sorted(folder.glob("*.jsonl"))):
            files += 1
            bad = invalid_lines(path)
            total += len(bad)
            for line in bad:
                print(line.describe())
            if bad and opts.quarantine:
                try:
                    moved += len(quarantine(path, bad))
                    print(f"moved {len(bad)} line(s) of {path} to {quarantine_path(path)}")
                except BlockingIOError as exc:
                    print(f"left {path} alone: {exc.strerror}")
        print(f"{files} file(s), {total} invalid line(s)" + (f", {moved} quarantined" if opts.quarantine else ""))
        if total - moved:
            self.exitcode = 1
