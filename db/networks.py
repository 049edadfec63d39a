"""Operator identifiers and off-site links per site, and the networks they make.

What a crawl records about who runs a site (crawler/identifiers.py reads it from the markup)
and the read side: `networks` groups the `site_networks` view's rows, so the command prints
exactly what a user gets from SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import SiteIdentifier, SiteLink, SiteMarkup

# (kind, value, tier) and host → (placement, example URL), as crawler/identifiers.py gives them.
IdentifierRow = tuple[str, str, str]
Placements = dict[str, tuple[str, str]]


def record_page_markup(
    session: Session,
    site_id: int,
    identifiers: Iterable[IdentifierRow],
    links: Placements,
    seen_at: datetime,
) -> None:
    """Count one page of the site: its identifiers and the off-site hosts it links."""
    markup = session.get(SiteMarkup, site_id)
    if markup is None:
        markup = SiteMarkup(site_id=site_id, pages=0, first_seen=seen_at)
        session.add(markup)
    markup.pages += 1
    markup.last_seen = seen_at

    rows = {(kind, value): tier for kind, value, tier in identifiers}
    if rows:
        stored = {
            (r.kind, r.value): r
            for r in session.scalars(
                select(SiteIdentifier).where(
                    SiteIdentifier.site_id == site_id,
                    SiteIdentifier.value.in_([v for _, v in rows]),
                )
            )
        }
        for (kind, value), tier in rows.items():
            row = stored.get((kind, value))
            if row is None:
                row = SiteIdentifier(
                    site_id=site_id, kind=kind, value=value, tier=tier, pages=0, first_seen=seen_at
                )
                session.add(row)
            row.pages += 1
            row.last_seen = seen_at
    if links:
        stored_links = {
            (r.host, r.placement): r
            for r in session.scalars(
                select(SiteLink).where(SiteLink.site_id == site_id, SiteLink.host.in_(list(links)))
            )
        }
        for host, (placement, example) in links.items():
            link = stored_links.get((host, placement))
            if link is None:
                link = SiteLink(
                    site_id=site_id,
                    host=host,
                    placement=placement,
                    example_url=example,
                    pages=0,
                    first_seen=seen_at,
                )
                session.add(link)
            link.pages += 1
            link.last_seen = seen_at


NETWORK_ROWS = """
SELECT network_id, site, role, identifiers_shared, syndicator, copies
FROM site_networks ORDER BY network_id, site
"""

# Associative and tertiary identifiers two sites of one network share: shown beside the
# conclusive ones as supporting evidence, never linking anything on their own.
_SUPPORTING = """
SELECT s.name AS site, i.kind, i.value, i.tier
FROM site_identifiers i JOIN sites s ON s.id = i.site_id
WHERE i.tier <> 'conclusive'
"""


def network_rows(session: Session) -> list[dict[str, Any]]:
    """The `site_networks` view, one row per site in a network (the `networks` export)."""
    rows = [dict(r) for r in session.execute(text(NETWORK_ROWS)).mappings()]
    for row in rows:
        row["syndicator"] = bool(row["syndicator"])
    return rows


def networks(session: Session) -> list[dict[str, Any]]:
    """Every network of two or more sites: its sites, the conclusive identifiers that link
    them (each with the sites carrying it), and the weaker identifiers two or more of them
    share ("supporting"). Largest networks first."""
    groups: dict[int, dict[str, Any]] = {}
    for row in network_rows(session):
        group = groups.setdefault(
            row["network_id"], {"network": row["network_id"], "members": [], "ids": {}}
        )
        group["members"].append(row)
        for item in filter(None, (row["identifiers_shared"] or "").split(",")):
            kind, value = item.split(":", 1)
            group["ids"].setdefault((kind, value), []).append(row["site"])
    weak = _supporting(session)
    result = []
    for group in groups.values():
        sites = sorted(m["site"] for m in group["members"])
        if len(sites) < 2:
            continue
        result.append(
            {
                "network": group["network"],
                "sites": sites,
                "identifiers": [
                    {"kind": kind, "value": value, "sites": sorted(names)}
                    for (kind, value), names in sorted(group["ids"].items())
                ],
                "supporting": _shared_within(weak, set(sites)),
                "syndicators": sorted(m["site"] for m in group["members"] if m["syndicator"]),
                "copies": sum(m["copies"] for m in group["members"]),
            }
        )
    result.sort(key=lambda g: (-len(g["sites"]), g["network"]))
    return result


def _supporting(session: Session) -> dict[tuple[str, str, str], set[str]]:
    carriers: dict[tuple[str, str, str], set[str]] = {}
    for row in session.execute(text(_SUPPORTING)).mappings():
        carriers.setdefault((row["tier"], row["kind"], row["value"]), set()).add(row["site"])
    return carriers


def _shared_within(
    carriers: dict[tuple[str, str, str], set[str]], sites: set[str]
) -> list[dict[str, Any]]:
    shared = []
    for (tier, kind, value), names in sorted(carriers.items()):
        inside = names & sites
        if len(inside) >= 2:
            shared.append({"tier": tier, "kind": kind, "value": value, "sites": sorted(inside)})
    return shared
