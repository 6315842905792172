"""The interface every state backend implements (SQLite on one machine, Redis when distributed)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable


class StateStore(ABC):
    """Durable state shared by the pipelines and middlewares of one crawl.

    Keys are strings chosen by the caller (canonical URLs, content hashes, line hashes).
    ``site`` is the spider name. Every method is safe to call many times with the same
    arguments (idempotent), so a crash between two calls never corrupts the state.
    """

    # Learned boilerplate: how many distinct articles of a site contained a line.
    @abstractmethod
    def line_counts(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        """Number of distinct articles of ``site`` seen with each line key (0 when unseen)."""

    @abstractmethod
    def record_lines(self, site: str, article_key: str, keys: Iterable[str]) -> None:
        """Count ``keys`` once for the article ``article_key`` (recording it twice counts once)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections."""
