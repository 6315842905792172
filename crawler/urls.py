"""Canonical article URLs: one key however a portal links, tracks or mirrors an article.

Pure functions of strings. ``canonical_url`` lower-cases scheme and host, drops default ports,
fragments and tracking parameters (``utm_*``, ``spm``, ``from``, …), sorts the remaining
query parameters, normalises percent-encoding (w3lib) and maps a mobile host to its desktop
host when the spider declares it in ``mobile_hosts`` (``{"m.163.com": "www.163.com"}``; a
value ``"host/prefix"`` replaces the host and prepends a path prefix, for sites whose mobile
path differs by a prefix). ``url_key`` is the canonical URL without its scheme, so the http
and https copies of a page share one key. Keys are cached (the last 16,384 URLs): a crawl asks
for the key of one URL several times (pending set, incremental skip, dedup, store).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset({
    "spm", "from", "fromsource", "src", "source", "share", "share_token", "sharesource", "sharer", "shareid",
    "scene", "isappinstalled", "fr", "wfr", "ref", "referer", "refer", "timestamp", "ts", "t_ref",
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "igshid",
    "tt_from", "tt_medium", "utm", "wechat", "winzoom", "s_trans", "s_channel", "toapp", "app", "channel_from",
    "_f", "scm", "ivk_sa", "clicktime", "enterid",
})
TRACKING_PREFIXES = ("utm_", "spm_", "share_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_DAY = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d])")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, mobile_hosts: Mapping[str, str] | None = None) -> str:
    """The canonical form of ``url`` (see the module docstring); unparsable input is returned stripped."""
    url = url.strip()
    try:
        parts = urlsplit(canonicalize_url(url, keep_fragments=False))
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    path = parts.path or "/"
    if mobile_hosts and host in mobile_hosts:
        target = mobile_hosts[host].strip().lower()
        if "/" in target:
            target, prefix = target.split("/", 1)
            path = "/" + prefix.strip("/") + path
        host = target
        port = None
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not is_tracking_param(k)))
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str, mobile_hosts: Mapping[str, str] | None = None) -> str:
    """The dedup key of a URL: its canonical form without the scheme (``//host/path?query``)."""
    return _url_key(url, tuple(sorted(mobile_hosts.items())) if mobile_hosts else ())


@lru_cache(maxsize=16384)
def _url_key(url: str, mobile_hosts: tuple[tuple[str, str], ...]) -> str:
    canonical = canonical_url(url, dict(mobile_hosts))
    _, sep, rest = canonical.partition("://")
    return "//" + rest if sep else canonical


def url_keys(urls: Iterable[str | None], mobile_hosts: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Distinct keys of every non-empty URL given (an item's URL, its rel=canonical, the requested URL)."""
    return tuple(dict.fromkeys(url_key(u, mobile_hosts) for u in urls if u and u.strip()))


def url_day(url: str | None) -> str | None:
    """The ``YYYY-MM-DD`` a URL's path holds (``/2019/10/31/``, ``/2016-04-15/``, ``/20050519``), or None."""
    m = _URL_DAY.search(url or "")
    return "-".join(m.groups()) if m else None
