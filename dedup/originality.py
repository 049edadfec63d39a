"""Which of two matching articles is the original."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Provenance:
    key: str
    role: str  # "source" | "suspect"
    published: datetime | None
    first_seen: datetime


def _utc(moment: datetime) -> datetime:
    # Crawled dates come naive (UTC by convention) or aware; comparing the two raises.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _rank(p: Provenance) -> tuple:
    # A missing publication date sorts after any known one: an article that states an earlier
    # date is more likely the original than one that states none.
    published = (0, _utc(p.published)) if p.published is not None else (1, None)
    return (p.role != "source", published, _utc(p.first_seen), p.key)


def choose_original(a: Provenance, b: Provenance) -> Provenance:
    """Source over suspect, then earlier publication date, then first seen, then key."""
    ra, rb = _rank(a), _rank(b)
    if ra[:1] != rb[:1]:
        return a if ra < rb else b
    if ra[1][0] != rb[1][0]:
        return a if ra[1][0] < rb[1][0] else b
    if ra[1][0] == 0 and ra[1][1] != rb[1][1]:
        return a if ra[1][1] < rb[1][1] else b
    return a if (ra[2], ra[3]) <= (rb[2], rb[3]) else b
