"""A pipeline for tests/test_operations.py that raises on every tenth item (a bug in a pipeline)."""

from __future__ import annotations

from typing import Any


class FlakyPipeline:
    def __init__(self) -> None:
        self.seen = 0

    def process_item(self, item: Any) -> Any:
        self.seen += 1
        if self.seen % 10 == 0:
            raise ValueError(f"flaky pipeline: item {self.seen}")
        return item
