"""What discovery reads (who links where, who attributes to whom, what probes found) and the
discovery_candidates it writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import DiscoveryCandidate, utcnow


@dataclass(frozen=True)
class LinkRow:
    site: str
    host: str
    placement: str  # "body" | "template" | "attribution"
    url: str
    syndicator: bool


_LINKS = """
SELECT s.name AS site, l.host, l.placement, l.example_url AS url, r.syndicator
FROM site_links l
JOIN sites s ON s.id = l.site_id
JOIN site_report r ON r.site = s.name
"""

_ATTRIBUTIONS = """
SELECT s.name AS site, a.attribution_url AS url, r.syndicator
FROM articles a
JOIN sites s ON s.id = a.site_id
JOIN site_report r ON r.site = s.name
WHERE a.attribution_url IS NOT NULL
"""


def link_rows(session: Session) -> list[LinkRow]:
    """Every off-site link a site's pages carry, and every article's attribution link (one row
    per article: how many of a farm's articles name a host as their source matters)."""
    rows = [
        LinkRow(r["site"], r["host"], r["placement"], r["url"], bool(r["syndicator"]))
        for r in session.execute(text(_LINKS)).mappings()
    ]
    for r in session.execute(text(_ATTRIBUTIONS)).mappings():
        rows.append(LinkRow(r["site"], "", "attribution", r["url"], bool(r["syndicator"])))
    return rows


def crawled_sites(session: Session) -> int:
    """Sites whose pages' markup was read: the denominator of "platform-wide"."""
    return session.execute(text("SELECT count(*) FROM site_markup")).scalar_one()


def site_urls(session: Session) -> dict[str, str | None]:
    """Every stored site's name and base URL."""
    return dict(session.execute(text("SELECT name, base_url FROM sites")).tuples().all())


def probe_findings(session: Session, site: str) -> dict[str, Any]:
    """What matching found on a probed candidate's pages: its copies and their originals'
    sites, and the network it joined (if its markup shares an operator's identifier)."""
    copies = session.execute(
        text("SELECT count(DISTINCT copy_url) FROM copies WHERE copy_site = :site"),
        {"site": site},
    ).scalar_one()
    originals = sorted(
        session.execute(
            text("SELECT DISTINCT original_site FROM copies WHERE copy_site = :site"),
            {"site": site},
        ).scalars()
    )
    network = session.execute(
        text("SELECT network_id, identifiers_shared FROM site_networks WHERE site = :site"),
        {"site": site},
    ).first()
    peers: list[str] = []
    if network is not None:
        peers = sorted(
            session.execute(
                text("SELECT site FROM site_networks WHERE network_id = :n AND site <> :site"),
                {"n": network.network_id, "site": site},
            ).scalars()
        )
    return {
        "copies": copies,
        "original_sites": originals,
        "network": network.network_id if network else None,
        "network_identifiers": (network.identifiers_shared or "").split(",") if network else [],
        "network_sites": peers,
    }


def candidates(session: Session) -> dict[str, DiscoveryCandidate]:
    return {c.host: c for c in session.scalars(select(DiscoveryCandidate))}


def save_candidate(session: Session, host: str, url: str) -> DiscoveryCandidate:
    """The stored candidate for `host`, created as "proposed" when new."""
    candidate = session.scalar(select(DiscoveryCandidate).where(DiscoveryCandidate.host == host))
    if candidate is None:
        candidate = DiscoveryCandidate(
            host=host,
            url=url,
            status="proposed",
            score=0.0,
            reasons=[],
            pages_probed=0,
            copies=0,
            original_sites=[],
        )
        session.add(candidate)
    candidate.updated_at = utcnow()
    return candidate
