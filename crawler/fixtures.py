"""Fixture pages: ``fixtures/<spider>/<case>.html`` (bytes as received) + ``<case>.json``.

The JSON holds ``url``, ``spider``, ``headers`` (those that matter, e.g. Content-Type),
``captured_at`` (anchors relative dates) and the full expected ``item`` (null: the page
must yield nothing); keys sorted, UTF-8, indent 2.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.offline import OfflineExtractor

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass
class Fixture:
    spider: str
    case: str
    url: str
    headers: dict[str, str]
    captured_at: str
    item: dict[str, Any] | None
    html_path: Path

    @property
    def json_path(self) -> Path:
        return self.html_path.with_suffix(".json")

    def body(self) -> bytes:
        return self.html_path.read_bytes()

    def to_json(self) -> str:
        data = {"url": self.url, "spider": self.spider, "headers": self.headers, "captured_at": self.captured_at,
                "item": self.item}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load_fixtures(root: Path = FIXTURES_DIR) -> list[Fixture]:
    fixtures = []
    for path in sorted(root.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        fixtures.append(Fixture(spider=path.parent.name, case=path.stem, url=data["url"],
                                headers=data.get("headers") or {}, captured_at=data["captured_at"],
                                item=data.get("item"), html_path=path.with_suffix(".html")))
    return fixtures


def run_fixture(extractor: OfflineExtractor, fixture: Fixture) -> dict[str, Any] | None:
    """The item the spider and the cleaning pipelines give for the fixture page today."""
    outcome = extractor.extract(fixture.body(), fixture.url, fixture.spider, fixture.headers, fixture.captured_at)
    if outcome.item is None:
        return None
    return json.loads(json.dumps(outcome.item, ensure_ascii=False))


def item_diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """Field-by-field differences, with a line diff for long text fields."""
    if old is None or new is None:
        return [] if old == new else [f"item: {'null' if old is None else 'an item'} -> "
                                      f"{'null' if new is None else 'an item'}"]
    lines = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, str) and isinstance(b, str) and ("\n" in a or "\n" in b):
            lines.append(f"{key}:")
            lines.extend("  " + d for d in difflib.unified_diff(a.split("\n"), b.split("\n"), lineterm="", n=1))
        else:
            lines.append(f"{key}: {json.dumps(a, ensure_ascii=False)} -> {json.dumps(b, ensure_ascii=False)}")
    return lines
