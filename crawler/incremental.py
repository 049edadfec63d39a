"""Incremental crawling: which stored articles to fetch again, and how to ask for them.

A stored article is not requested again until its site's `recheck_after` has passed, unless a
sitemap `lastmod` or a feed date says it changed since it was fetched. When it is requested,
its ETag and Last-Modified go back as If-None-Match / If-Modified-Since, so an unchanged page
costs a 304 and no extraction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import SiteConfig
from db.models import Site, utcnow
from db.session import connect, session_factory
from db.store import Known, known_articles

T = TypeVar("T")


def per_site(
    db_url: str | None, sites: Iterable[SiteConfig], read: Callable[[Session, int], dict[str, T]]
) -> dict[str, dict[str, T]]:
    """What `read` finds of each site by name (nothing for a site not stored yet), read once
    when the crawl starts."""
    engine = connect(db_url)
    try:
        with session_factory(engine)() as session:
            found = {}
            for site in sites:
                site_id = session.scalar(select(Site.id).where(Site.name == site.name))
                found[site.name] = read(session, site_id) if site_id else {}
            return found
    finally:
        engine.dispose()


def load_known(db_url: str | None, sites: Iterable[SiteConfig]) -> dict[str, dict[str, Known]]:
    """Stored articles per site name."""
    return per_site(db_url, sites, known_articles)


def due_again(known: Known, site: SiteConfig, lastmod: datetime | None) -> bool:
    if known.fetched_at is None:
        return True
    if lastmod is not None and lastmod > known.fetched_at:
        return True
    return utcnow() - known.fetched_at >= site.recheck_after


def conditional_headers(known: Known | None) -> dict[str, str]:
    headers = {}
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    if known is not None and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers
