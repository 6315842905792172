"""The one item the project produces."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

EXTRACTION_LAYERS = ("site", "structured", "byline", "generic")  # the shared sources, in their default order


def join_lines(body: list[str] | str) -> str:
    """The stored form of a body: one paragraph a line."""
    return body if isinstance(body, str) else "\n".join(body)


def iso(dt: datetime | str | None) -> str | None:
    """The stored form of a date: ISO 8601 with its UTC offset, seconds precision."""
    if dt is None or isinstance(dt, str):
        return dt
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt!r}: every stored date carries its offset")
    return dt.replace(microsecond=0).isoformat()


@dataclass(kw_only=True)
class Described:
    """The descriptive fields a page states about an article, under ``ArticleItem``'s names: shared by the
    page record extraction fills (``crawler.extract.article.Page``) and the page's structured data."""

    title: str | None = None
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None


@dataclass
class ArticleItem:
    """One article, possibly stitched from several pages.

    Inside the crawl the body is a list of paragraphs and the dates are timezone-aware
    ``datetime`` objects; ``item_record`` (the JSONL store, ``scrapy extract``) and Scrapy's feed
    exports (the fields' ``serializer``) write the body as one paragraph a line and the dates as ISO
    8601 strings with their UTC offset. ``extraction`` maps a field name to the source that produced
    it (``site``, ``structured``, ``byline`` or ``generic``); ``cleaning`` counts what extraction (page
    furniture) and the cleaning pipelines removed, by kind.
    """

    url: str
    site: str
    title: str = ""
    body: list[str] = field(default_factory=list, metadata={"serializer": join_lines})
    canonical_url: str | None = None
    published_at: datetime | None = field(default=None, metadata={"serializer": iso})
    updated_at: datetime | None = field(default=None, metadata={"serializer": iso})
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    images: list[str] = field(default_factory=list)
    pages: int = 1
    crawled_at: datetime | None = field(default=None, metadata={"serializer": iso})
    extraction: dict[str, str] = field(default_factory=dict)
    cleaning: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


_SERIALIZERS = {f.name: f.metadata["serializer"] for f in fields(ArticleItem) if "serializer" in f.metadata}


def item_record(item: ArticleItem) -> dict[str, Any]:
    """The item as stored: a JSON-ready dict in field order (body as text, dates as ISO strings)."""
    return {f.name: _SERIALIZERS[f.name](value) if f.name in _SERIALIZERS else value
            for f in fields(ArticleItem) for value in (getattr(item, f.name),)}
