"""Probing discovery candidates: the `sites` spider run over hosts nobody listed.

A probe is the ordinary crawl (robots.txt, politeness, traps, size limits, site boundaries)
with a page budget per candidate and three guards added for hosts found in a farm's links: no
private, loopback or link-local address (a link must not make syndetect scan the user's own
network), a time budget per candidate, and a page and time budget for the whole probe.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler import settings as default_settings
from crawler.config import Config, DiscoverConfig, SiteConfig
from crawler.discover import CANDIDATE_ROLE
from crawler.urls import netloc


def non_public(address: str) -> str | None:
    """What kind of non-public IP address `address` is ("loopback", …), None for a public one;
    ValueError when it is no IP address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    for flag in ("loopback", "link_local", "private", "reserved", "multicast", "unspecified"):
        if getattr(ip, f"is_{flag}"):
            return flag.replace("_", "-")
    return None


async def resolve_private(host: str) -> str | None:
    """Why `host` may not be probed: it is, or resolves to, a non-public address."""
    try:
        kind = non_public(host)
        return f"{host} is a {kind} address" if kind else None
    except ValueError:
        pass  # a name, not an address literal
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        return f"{host} does not resolve ({exc})"
    for info in infos:
        address = str(info[4][0])
        kind = non_public(address)
        if kind:
            return f"{host} resolves to {address}, a {kind} address"
    return None


class ProbeGuardMiddleware:
    """Ignores a probe's requests to non-public addresses (unless allowed) and a candidate's
    requests once its time budget is spent. Every request passes here, redirects included."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.allow_private = settings.getbool("SYNDETECT_PROBE_ALLOW_PRIVATE", False)
        self.seconds = settings.getfloat("SYNDETECT_PROBE_SITE_SECONDS", 120.0)
        self.started: dict[str, float] = {}
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProbeGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        site = request.cb_kwargs.get("site")
        name = site.name if site is not None else netloc(request.url)
        started = self.started.setdefault(name, time.monotonic())
        if time.monotonic() - started > self.seconds:
            self._refuse(name, "time_budget", f"time budget of {self.seconds:g}s spent")
        if self.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        if host not in self.verdicts:
            self.verdicts[host] = await resolve_private(host)
        if self.verdicts[host]:
            self._refuse(name, "private", self.verdicts[host])

    def _refuse(self, name: str, stat: str, reason: str) -> None:
        stats = self.crawler.stats
        if not stats.get_value(f"syndetect/probe_{stat}/{name}"):
            self.crawler.spider.logger.warning("probe of %s stopped: %s", name, reason)
        stats.inc_value(f"syndetect/probe_{stat}/{name}")
        raise IgnoreRequest(reason)


def probe_config(
    config: Config, targets: list[tuple[str, str]], pages: int, budget: DiscoverConfig
) -> Config:
    """The crawl config of a probe: each (host, start URL) a candidate site of `pages` pages."""
    sites = tuple(
        SiteConfig(name=host, role=CANDIDATE_ROLE, start_urls=(url,), max_pages=pages)
        for host, url in targets
    )
    guard = f"{__name__}.ProbeGuardMiddleware"
    crawl: dict[str, Any] = {
        **config.crawl,
        "DOWNLOADER_MIDDLEWARES": {
            **default_settings.DOWNLOADER_MIDDLEWARES,
            **config.crawl.get("DOWNLOADER_MIDDLEWARES", {}),
            guard: 40,
        },
        "SYNDETECT_PROBE_ALLOW_PRIVATE": budget.allow_private_addresses,
        "SYNDETECT_PROBE_SITE_SECONDS": budget.candidate_seconds,
        "CLOSESPIDER_TIMEOUT": budget.total_seconds,
        "CLOSESPIDER_PAGECOUNT": budget.total_pages,
    }
    return dataclasses.replace(config, sites=sites, crawl=crawl)


def stop_notes(stats: dict[str, Any], not_seen: dict[str, str], hosts: list[str]) -> dict[str, str]:
    """Why each candidate's probe stopped short, in words (none when it ran its course);
    `not_seen` is the crawl's reason for each site it fetched nothing from."""
    notes = {}
    reason = str(stats.get("finish_reason", "finished"))
    for host in hosts:
        parts = []
        if stats.get(f"syndetect/probe_private/{host}"):
            parts.append("not fetched: private address (see [discover] allow_private_addresses)")
        if stats.get(f"syndetect/probe_time_budget/{host}"):
            parts.append("time budget spent")
        if reason.startswith("closespider"):
            parts.append(f"probe stopped by its total budget ({reason})")
        if not stats.get(f"syndetect/pages/{host}") and not parts:
            parts.append(
                f"nothing fetched: {not_seen[host]}" if host in not_seen else "nothing fetched"
            )
        if parts:
            notes[host] = "; ".join(parts)
    return notes
