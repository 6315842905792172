"""Parsing of the values a person types (spider ``-a`` arguments, command options), with one-line errors.

Each parser raises ``ArgumentError`` whose message names the argument, the value given and what
it expects; ``scrapy crawl``/``crawlall`` print it as a usage error, with no traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlparse

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


class ArgumentError(ValueError):
    """A value given by a person is not what the argument expects."""


def _show(value: object) -> str:
    return repr(value if len(str(value)) <= 80 else str(value)[:77] + "...")


def int_arg(name: str, value: str | int | None, minimum: int = 0) -> int | None:
    """An integer of at least ``minimum``, or None when not given."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={_show(value)}: expected a whole number >= {minimum}") from None
    if number < minimum:
        raise ArgumentError(f"-a {name}={_show(value)}: expected a whole number >= {minimum}")
    return number


def bool_arg(name: str, value: str | bool | None, extra: Iterable[str] = ()) -> bool | str:
    """``1/true/yes/on`` or ``0/false/no/off``; a value in ``extra`` is returned as is (lower case)."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in extra:
        return text
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    choices = "/".join(["1", "0", *extra])
    raise ArgumentError(f"-a {name}={_show(value)}: expected {choices} (or true/false, yes/no)")


def day_arg(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={_show(value)}: expected a day as YYYY-MM-DD") from None


def url_arg(name: str, value: str) -> str:
    url = value.strip()
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(f"-a {name}={_show(value)}: expected an http:// or https:// URL with a host")
    return url


def urls_arg(name: str, value: str | Iterable[str] | None) -> list[str]:
    """Comma-separated (or a list of) http(s) URLs."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    urls = [url_arg(name, v) for v in items if v.strip()]
    if isinstance(value, str) and value.strip() and not urls:
        raise ArgumentError(f"-a {name}={_show(value)}: expected one or more URLs separated by commas")
    return urls


def regex_arg(name: str, value: str | None) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise ArgumentError(f"-a {name}={_show(value)}: expected a regular expression ({exc})") from None


def known_args(arguments: Mapping[str, Any], known: Iterable[str], owner: str) -> None:
    """Refuse an argument that is not in ``known`` (a typo such as ``limt`` would otherwise be ignored); names
    starting with ``_`` pass (scrapyd adds ``_job``)."""
    names = sorted(known)
    for name, value in arguments.items():
        if name not in names and not name.startswith("_"):
            raise ArgumentError(f"-a {name}={_show(value)}: unknown argument ({owner} takes {', '.join(names)})")


def check_spider_arguments(spidercls: type, arguments: Mapping[str, Any], settings: Any = None) -> None:
    """The spider's ``check_arguments`` (ArticleSpider builds itself once without a crawler: its ``__init__``
    parses, and refuses, every argument)."""
    check = getattr(spidercls, "check_arguments", None)
    if check is not None:
        check(arguments, settings)
