"""Load and validate the sites file (TOML). Every mistake is one line naming file, site and key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.alerts import AlertConfig
from crawler.errors import UserError
from crawler.urls import check_http_url, netloc, shown

ROLES = ("source", "suspect")
TOP_LEVEL_KEYS = {"crawl", "site", "index", "match", "alerts", "discover"}
MATCH_KEYS = {"through_sites"}
ALERT_KEYS = {"webhook", "watch", "retries", "timeout"}
INDEX_KEYS = {"backend", "url", "prefix", "snapshot"}
INDEX_BACKENDS = ("memory", "redis")
SITE_KEYS = {
    "name",
    "role",
    "start_urls",
    "sitemaps",
    "feeds",
    "language",
    "max_pages",
    "recheck_after",
    "schedule",
}
# syndetect's own keys allowed in [crawl] beside Scrapy's settings (which are in capitals).
CRAWL_OWN_KEYS = {"schedule"}
DEFAULT_SCHEDULE = "24h"
DEFAULT_MAX_PAGES = 5000
DEFAULT_RECHECK_AFTER = "7d"
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: object) -> timedelta:
    """'90s', '30m', '6h', '7d', '2w' or a number of seconds → timedelta; ValueError if not."""
    match = DURATION.match(str(value)) if isinstance(value, str | int | float) else None
    if match is None or isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration such as '30m', '6h' or '7d'")
    try:
        return timedelta(seconds=float(match.group(1)) * DURATION_UNITS[match.group(2)])
    except OverflowError:
        raise ValueError(f"{value!r} is too long a duration") from None


@dataclass(frozen=True)
class SiteConfig:
    name: str
    role: str
    start_urls: tuple[str, ...]
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    language: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    # A stored article is requested again when this old, or sooner if a sitemap or feed says
    # it changed; in between, incremental crawls skip it.
    recheck_after: timedelta = timedelta(days=7)
    # How often `syndetect schedule` crawls the site.
    schedule: timedelta = timedelta(hours=24)

    @cached_property
    def netlocs(self) -> frozenset[str]:
        """The host[:port] values that belong to this site."""
        return frozenset(netloc(u) for u in (*self.start_urls, *self.sitemaps, *self.feeds))


@dataclass(frozen=True)
class IndexConfig:
    """Where the LSH index lives: in memory (rebuilt from the database on each `match`) or in
    Redis (shared by several matchers, through datasketch's own storage layer)."""

    backend: str = "memory"
    url: str | None = None
    prefix: str = "syndetect"
    # The in-memory index's snapshot file between runs: None beside a SQLite database (see
    # crawler.index_cache), False never, or a path.
    snapshot: Path | bool | None = None

    def storage_config(self) -> dict[str, Any] | None:
        if self.backend == "memory":
            return None
        parts = urlsplit(self.url or "redis://127.0.0.1:6379/0")
        db = parts.path.strip("/")
        return {
            "type": "redis",
            "redis": {
                "host": parts.hostname or "127.0.0.1",
                "port": parts.port or 6379,
                "db": int(db) if db else 0,
                "password": parts.password,
            },
        }


@dataclass(frozen=True)
class MatchConfig:
    # Look for the copies anchors cannot find through the sites other copies link
    # (dedup/sites.py); off, every match is decided by its own pair alone.
    through_sites: bool = True


@dataclass(frozen=True)
class DiscoverConfig:
    """`syndetect discover`: where a probe may go and what it may cost."""

    # Probes never reach private, loopback or link-local addresses (a link in a farm's page
    # must not make syndetect scan the user's own network) unless this says so.
    allow_private_addresses: bool = False
    max_candidates: int = 20  # candidates a probe crawls, best first
    candidate_seconds: float = 120.0  # time budget of one candidate's probe
    total_seconds: float = 900.0  # time budget of a whole probe
    total_pages: int = 1000  # responses of a whole probe (pages, sitemaps, feeds, robots.txt)
    # A host linked from more than this share of the crawled sites (and from at least
    # platform_min_sites) is a platform's (social networks, a CDN, a widget), not a candidate;
    # the same rule keeps a platform's identifiers out of the networks (site_networks).
    platform_share: float = 0.5
    platform_min_sites: int = 5


@dataclass(frozen=True)
class Config:
    path: Path
    sites: tuple[SiteConfig, ...]
    crawl: dict[str, Any] = field(default_factory=dict)
    index: IndexConfig = field(default_factory=IndexConfig)
    match: MatchConfig = field(default_factory=MatchConfig)
    alerts: AlertConfig = field(default_factory=AlertConfig)
    discover: DiscoverConfig = field(default_factory=DiscoverConfig)

    def site(self, name: str) -> SiteConfig:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(s.name for s in self.sites)
        raise UserError(f"{self.path}: no site named {name!r} (sites: {known})")


def load(path: str | Path) -> Config:
    path = Path(path)
    try:
        # utf-8-sig: a file saved by an editor that writes a byte-order mark reads the same.
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise UserError(f"{path}: invalid TOML: nested too deeply") from None
    return parse(raw, path)


def parse(raw: dict[str, Any], path: Path) -> Config:
    unknown = sorted(set(raw) - TOP_LEVEL_KEYS)
    if unknown:
        raise UserError(f"{path}: unknown top-level key {unknown[0]!r}")
    crawl = raw.get("crawl", {})
    if not isinstance(crawl, dict):
        raise UserError(f"{path}: [crawl] must be a table of Scrapy settings")
    # Scrapy is imported only to check a [crawl] table: the commands that never crawl (ingest,
    # match, report, export) start 0.3 s faster without it.
    from crawler.scrapy_settings import check as check_settings
    from crawler.scrapy_settings import defaults

    for key in crawl:
        if not key.isupper() and key not in CRAWL_OWN_KEYS:
            hint = f" (did you mean {key.upper()!r}?)" if key.upper() in defaults() else ""
            raise UserError(f"{path}: [crawl] key {key!r} is not a Scrapy setting name{hint}")
    problem = check_settings({k: v for k, v in crawl.items() if k not in CRAWL_OWN_KEYS})
    if problem:
        raise UserError(f"{path}: [crawl] {problem}")
    crawl = dict(crawl)
    try:
        default_schedule = parse_duration(crawl.pop("schedule", DEFAULT_SCHEDULE))
    except ValueError as exc:
        raise UserError(f"{path}: [crawl] key 'schedule': {exc}") from None
    sites_raw = raw.get("site")
    if not sites_raw:
        raise UserError(f"{path}: no [[site]] defined")
    if not isinstance(sites_raw, list):
        raise UserError(f"{path}: 'site' must be an array of tables ([[site]])")
    sites = tuple(
        _parse_site(entry, index, path, default_schedule)
        for index, entry in enumerate(sites_raw, 1)
    )
    seen: set[str] = set()
    for site in sites:
        if site.name in seen:
            raise UserError(f"{path}: site {site.name!r}: key 'name': duplicate site name")
        seen.add(site.name)
    return Config(
        path=path,
        sites=sites,
        crawl=crawl,
        index=_parse_index(raw, path),
        match=_parse_match(raw, path),
        alerts=_parse_alerts(raw, path),
        discover=_parse_discover(raw, path),
    )


def _table(raw: dict[str, Any], path: Path, name: str, known: set[str]) -> dict[str, Any]:
    """The config's [name] table (empty when absent), its keys checked."""
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise UserError(f"{path}: [{name}] must be a table")
    unknown = sorted(set(table) - known)
    if unknown:
        raise UserError(f"{path}: [{name}] key {unknown[0]!r}: unknown key")
    return table


def _parse_match(raw: dict[str, Any], path: Path) -> MatchConfig:
    table = _table(raw, path, "match", MATCH_KEYS)
    through_sites = table.get("through_sites", True)
    if not isinstance(through_sites, bool):
        raise UserError(f"{path}: [match] key 'through_sites': must be true or false")
    return MatchConfig(through_sites=through_sites)


def _parse_discover(raw: dict[str, Any], path: Path) -> DiscoverConfig:
    defaults = DiscoverConfig()
    table = _table(raw, path, "discover", set(DiscoverConfig.__dataclass_fields__))
    values: dict[str, Any] = {}
    for key, value in table.items():
        default = getattr(defaults, key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
            problem = "must be true or false"
        elif key == "platform_share":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
            problem = "must be a number above 0 and at most 1"
        else:
            ok = (
                isinstance(value, type(default) | int) and not isinstance(value, bool) and value > 0
            )
            problem = "must be a positive number"
        if not ok:
            raise UserError(f"{path}: [discover] key {key!r}: {problem}")
        values[key] = value
    return DiscoverConfig(**values)


def _parse_alerts(raw: dict[str, Any], path: Path) -> AlertConfig:
    table = _table(raw, path, "alerts", ALERT_KEYS)

    def fail(key: str, problem: str) -> UserError:
        return UserError(f"{path}: [alerts] key {key!r}: {problem}")

    webhook = table.get("webhook")
    if webhook is not None:
        problem = check_http_url(webhook)
        if problem is None and any(c.isspace() or ord(c) < 32 for c in webhook.strip()):
            # A browser would quote it; http.client refuses it at send time, after the run.
            problem = f"{shown(webhook)!r} contains a space or control character; quote it as %20"
        if problem:
            raise fail("webhook", problem)
    watch = table.get("watch", [])
    if not isinstance(watch, list) or not all(isinstance(w, str) for w in watch):
        raise fail("watch", "must be a list of site names")
    retries = table.get("retries", 3)
    if not isinstance(retries, int) or isinstance(retries, bool) or not 1 <= retries <= 10:
        raise fail("retries", "must be a whole number from 1 to 10")
    timeout = table.get("timeout", 10)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise fail("timeout", "must be a positive number of seconds")
    return AlertConfig(webhook=webhook, watch=tuple(watch), retries=retries, timeout=timeout)


def _parse_index(raw: dict[str, Any], path: Path) -> IndexConfig:
    table = _table(raw, path, "index", INDEX_KEYS)
    backend = table.get("backend", "memory")
    if backend not in INDEX_BACKENDS:
        raise UserError(
            f"{path}: [index] key 'backend': must be one of {', '.join(INDEX_BACKENDS)}"
        )
    url = table.get("url")
    if url is not None:
        try:
            parts = urlsplit(url) if isinstance(url, str) else None
            valid = parts is not None and parts.scheme in ("redis", "rediss") and parts.hostname
            if valid:
                int(parts.path.strip("/") or 0), parts.port  # noqa: B018 - validation only
        except ValueError:
            valid = False
        if not valid:
            raise UserError(f"{path}: [index] key 'url': must be a redis://host:port/db URL")
    prefix = table.get("prefix", "syndetect")
    if not isinstance(prefix, str) or not prefix:
        raise UserError(f"{path}: [index] key 'prefix': must be a non-empty string")
    snapshot = table.get("snapshot")
    if snapshot is not None and not (snapshot is False or (isinstance(snapshot, str) and snapshot)):
        raise UserError(f"{path}: [index] key 'snapshot': must be a file path or false")
    if isinstance(snapshot, str):
        # Relative to the config file: a scheduled run finds it whatever its working directory.
        snapshot = (path.parent / Path(snapshot).expanduser()).resolve()
    return IndexConfig(backend=backend, url=url, prefix=prefix, snapshot=snapshot)


def _parse_site(entry: Any, index: int, path: Path, default_schedule: timedelta) -> SiteConfig:
    where = f"{path}: site #{index}"
    if not isinstance(entry, dict):
        raise UserError(f"{where}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"{where}: key 'name': missing or not a non-empty string")
    where = f"{path}: site {name!r}"

    def fail(key: str, problem: str) -> UserError:
        return UserError(f"{where}: key {key!r}: {problem}")

    unknown = sorted(set(entry) - SITE_KEYS)
    if unknown:
        raise fail(unknown[0], "unknown key")
    role = entry.get("role")
    if role not in ROLES:
        raise fail("role", f"must be one of {', '.join(ROLES)} (got {role!r})")

    def url_list(key: str, required: bool = False) -> tuple[str, ...]:
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise fail(key, "must be a list of URLs")
        if required and not value:
            raise fail(key, "missing: at least one URL is needed")
        for url in value:
            problem = check_http_url(url)
            if problem:
                raise fail(key, problem)
        return tuple(u.strip() for u in value)

    language = entry.get("language")
    if language is not None and (not isinstance(language, str) or not language.isalpha()):
        raise fail("language", "must be a language code such as 'en'")
    max_pages = entry.get("max_pages", DEFAULT_MAX_PAGES)
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
        raise fail("max_pages", "must be a positive integer")
    durations = {}
    for key, default in (("recheck_after", DEFAULT_RECHECK_AFTER), ("schedule", None)):
        try:
            value = entry.get(key, default)
            durations[key] = parse_duration(value) if value is not None else default_schedule
        except ValueError as exc:
            raise fail(key, str(exc)) from None
        if durations[key].total_seconds() < (1 if key == "schedule" else 0):
            raise fail(key, "must be positive")
    return SiteConfig(
        name=name.strip(),
        recheck_after=durations["recheck_after"],
        schedule=durations["schedule"],
        role=role,
        start_urls=url_list("start_urls", required=True),
        sitemaps=url_list("sitemaps"),
        feeds=url_list("feeds"),
        language=language.lower() if language else None,
        max_pages=max_pages,
    )
