"""The interface every state backend implements (SQLite on one machine, Redis when distributed).

Identity: a stored article is named by its URL as written in the JSONL (``StoredArticle.url``);
lookups return that URL, so a duplicate record says which stored line it duplicates.

Keys are opaque strings computed by the caller (``crawler.urls.url_keys`` for URLs,
``crawler.state.minhash.content_hash`` for bodies); near-duplicate band keys are signed
64-bit integers and signatures are bytes, both from ``crawler.state.minhash``. A backend
may store keys hashed; it never interprets them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoredArticle:
    """What the state remembers of one article once its JSONL line is written and flushed."""

    site: str
    url: str
    url_keys: tuple[str, ...]  # canonical forms of every URL the article was reached under
    content_hash: str = ""  # exact-duplicate key of the normalised body ("" when not computed)
    band_keys: tuple[int, ...] = ()  # near-duplicate LSH band keys
    signature: bytes = b""  # MinHash signature, to verify band candidates


@dataclass(frozen=True)
class DuplicateRecord:
    """An article dropped as a duplicate of a stored one."""

    site: str
    url: str
    kind: str  # "url", "exact" or "near_duplicate"
    duplicate_of: str  # URL of the stored article
    similarity: float = 1.0  # estimated Jaccard for near duplicates, 1.0 otherwise
    at: str = ""  # ISO 8601 UTC time of the drop
    extra: dict[str, str] = field(default_factory=dict, compare=False)


class StateStore(ABC):
    """Durable state shared by the pipelines and middlewares of one crawl.

    ``site`` is the spider name. Every method is safe to call many times with the same
    arguments (idempotent), so a crash between two calls never corrupts the state.
    Content and URL keys are global (a wire story is the same on every portal); pending URLs,
    duplicates and boilerplate lines are per site.
    """

    # Stored articles --------------------------------------------------------------------

    @abstractmethod
    def url_stored(self, url_keys: Iterable[str]) -> str | None:
        """URL of the stored article reached under any of ``url_keys``, or None."""

    @abstractmethod
    def content_stored(self, content_hash: str) -> str | None:
        """URL of the stored article whose normalised body has this hash, or None."""

    @abstractmethod
    def near_candidates(self, band_keys: Iterable[int], limit: int = 50) -> dict[str, bytes]:
        """Stored articles sharing at least one band key: URL -> MinHash signature (at most ``limit``)."""

    @abstractmethod
    def mark_stored(self, article: StoredArticle) -> None:
        """Remember an article as stored: its URL keys, content hash and bands, in one step.

        Called only after the article's JSONL line is written and flushed. When one of
        ``url_keys`` is already known, no new article is created: the other keys become aliases
        of the known article (content hash and bands are ignored). The dedup pipeline uses this
        to remember the URLs of dropped duplicates, so the next run skips them before download.
        """

    def stored_count(self) -> int:
        """Number of stored articles (for reports; backends may approximate)."""
        return 0

    # Duplicates -------------------------------------------------------------------------

    @abstractmethod
    def record_duplicate(self, record: DuplicateRecord) -> None:
        """Remember a dropped duplicate (the newest record per (site, url) wins)."""

    @abstractmethod
    def duplicates(self, site: str | None = None, limit: int | None = None) -> list[DuplicateRecord]:
        """Recorded duplicates, newest first, of one site or all."""

    # Pending article URLs (discovered, not yet stored or rejected) ----------------------

    @abstractmethod
    def add_pending(self, site: str, urls: Iterable[str]) -> None:
        """Persist discovered article URLs so a crash loses no work."""

    @abstractmethod
    def remove_pending(self, site: str, urls: Iterable[str]) -> None:
        """Forget URLs that were stored or definitively rejected."""

    @abstractmethod
    def pending(self, site: str) -> list[str]:
        """Pending URLs of a site, oldest first."""

    def resume_pending(self, site: str, max_attempts: int = 0) -> tuple[list[str], list[str]]:
        """The pending URLs a new run fetches, oldest first, each counted as one more attempt. With
        ``max_attempts`` > 0, URLs already resumed that many times (they kept failing) are forgotten
        instead. Returns ``(kept, dropped)``. Backends without attempt counts keep everything."""
        return self.pending(site), []

    # Checkpoints: small named integers (e.g. the JSONL offset already registered) -------

    @abstractmethod
    def get_checkpoint(self, name: str) -> int:
        """The value stored under ``name`` (0 when unset)."""

    @abstractmethod
    def set_checkpoint(self, name: str, value: int) -> None:
        """Store ``value`` under ``name``."""

    # Learned boilerplate: how many distinct articles of a site contained a line ---------

    @abstractmethod
    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        """Number of distinct articles of ``site`` seen with each line key (0 when unseen)."""

    @abstractmethod
    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        """Count ``keys`` once for the article ``article_key`` (recording it twice counts once)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections."""
