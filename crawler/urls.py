"""URL checks and canonical forms shared by config loading, crawling and ingest."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that only track the visitor or the session; two URLs differing only by them are
# one page (and session ids would otherwise make every visit a new URL: a crawl trap).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "sid",
        "sessionid",
        "session_id",
        "phpsessid",
        "jsessionid",
        "aspsessionid",
        "s",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Java servlets put the session id in the path: /page;jsessionid=ABC
PATH_SESSION = re.compile(r";(jsessionid|sessionid|sid)=[^/?#]*", re.IGNORECASE)


def check_http_url(url: object) -> str | None:
    """Why `url` is not an absolute http(s) URL, or None when it is."""
    if not isinstance(url, str) or not url.strip():
        return "must be a non-empty string"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} must start with http:// or https://"
    if not parts.hostname:
        return f"{url!r} has no host"
    return None


def netloc(url: str) -> str:
    """host[:port], lower-cased: the boundary of a site."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def same_site_netloc(candidate: str, allowed: set[str]) -> bool:
    """Whether `candidate` (host[:port]) belongs to a site; www. and bare host are one site."""
    if candidate in allowed:
        return True
    alt = candidate[4:] if candidate.startswith("www.") else "www." + candidate
    return alt in allowed


def canonical(url: str) -> str:
    """Canonical form for storage and de-duplication: no fragment, no tracking parameters,
    sorted query, normalized percent-encoding."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    path = PATH_SESSION.sub("", parts.path) or "/"
    cleaned = urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))
    return canonicalize_url(cleaned)
