"""The one item the project produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXTRACTION_LAYERS = ("site", "structured", "generic")


@dataclass
class ArticleItem:
    """One article, possibly stitched from several pages.

    Dates are ISO 8601 strings that always carry a UTC offset. ``extraction`` maps a
    field name to the layer that produced it (``site``, ``structured`` or ``generic``);
    ``cleaning`` counts what the cleaning pipelines removed, by kind.
    """

    url: str
    site: str
    title: str = ""
    body: str = ""
    canonical_url: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    images: list[str] = field(default_factory=list)
    pages: int = 1
    crawled_at: str = ""
    extraction: dict[str, str] = field(default_factory=dict)
    cleaning: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
