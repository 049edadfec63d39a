"""URL checks and canonical forms shared by config loading, crawling and ingest."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters known to only track the visitor (ad clicks, newsletters, analytics) or to carry a
# session id; two URLs differing only by them are one page (and session ids would otherwise
# make every visit a new URL: a crawl trap). Only names that mean nothing else: short generic
# ones (sid, ref, s, id) are real parameters on many sites (/article.php?sid=123).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "srsltid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "sessionid",
        "session_id",
        "phpsessid",
        "jsessionid",
        "aspsessionid",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Java servlets put the session id in the path: /page;jsessionid=ABC
PATH_SESSION = re.compile(r";(jsessionid|sessionid|sid)=[^/?#]*", re.IGNORECASE)


def check_http_url(url: object) -> str | None:
    """Why `url` is not an absolute http(s) URL, or None when it is. The reason quotes the URL
    without its user-info and query, which may carry a secret (a webhook's token)."""
    if not isinstance(url, str) or not url.strip():
        return "must be a non-empty string"
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return f"{shown(url)!r} contains a lone surrogate (not valid Unicode)"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{shown(url)!r} must start with http:// or https://"
    if not parts.hostname:
        return f"{shown(url)!r} has no host"
    if "\\" in parts.netloc:
        # Browsers read a backslash as a slash, urllib does not: the host would be ambiguous.
        return f"{shown(url)!r} has a backslash in its host"
    return None


def shown(url: str) -> str:
    """`url` fit for a message: user-info and query replaced by "…"."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(unreadable URL)"
    netloc_ = parts.netloc
    if "@" in netloc_:
        netloc_ = "…@" + netloc_.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=netloc_, query="…" if parts.query else "", fragment=""))


def netloc(url: str) -> str:
    """host[:port], lower-cased: the boundary of a site."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        # IPv6: bracketed as in the URL, or [2001:db8::1]:8080 and [2001:db8::1:8080] (another
        # host, no port) would both read 2001:db8::1:8080.
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def same_site_netloc(candidate: str, allowed: AbstractSet[str]) -> bool:
    """Whether `candidate` (host[:port]) belongs to a site; www. and bare host are one site."""
    if candidate in allowed:
        return True
    alt = candidate[4:] if candidate.startswith("www.") else "www." + candidate
    return alt in allowed


def canonical(url: str) -> str:
    """Canonical form for storage and de-duplication: no fragment, no tracking parameters,
    sorted query, normalized percent-encoding."""
    parts = urlsplit(url.strip())
    # Filter the raw "key=value" pairs and leave their bytes alone: decoding and re-encoding
    # would turn a legacy Latin-1 escape (%E9) into another URL, which the server won't know.
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    path = PATH_SESSION.sub("", parts.path) or "/"
    return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, path, query, "")))


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.split("=", 1)[0]).lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


class SeenUrls:
    """The canonical URLs a crawl has met, kept as 64-bit hashes: a set of the URL strings
    grew the crawler by about 0.15 KB per page (bench/memory.py). Python's string hash is
    salted per process, which is fine for a set that lives only as long as the crawl; two URLs
    of one crawl share a hash with odds of about 3 in 10^8 at a million URLs."""

    def __init__(self) -> None:
        self._hashes: set[int] = set()

    def add(self, url: str) -> None:
        self._hashes.add(hash(url))

    def __contains__(self, url: str) -> bool:
        return hash(url) in self._hashes
