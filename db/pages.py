"""Non-article pages remembered between crawls (the `pages` table, migration 0005).

The crawler reads them once when it starts, like stored articles, and records each non-article
answer as it stores pages, so a later crawl fetches them again only when due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CrawlRun, Page, utcnow
from db.store import Known

LISTING = "listing"
OTHER = "other"
ROBOTS = "robots"


@dataclass(frozen=True)
class KnownPage(Known):
    """A remembered page: when it was fetched (the Known part) and what it was."""

    kind: str = OTHER
    status: int | None = None
    body: str | None = None


@dataclass(frozen=True)
class PageAnswer:
    """What one fetch of a non-article URL said, to remember."""

    url: str
    kind: str
    status: int | None
    body: str | None = None


def known_pages(session: Session, site_id: int) -> dict[str, KnownPage]:
    """The site's pages remembered by crawls that finished. A page fetched by a crawl that was
    killed, interrupted or cut short by its budget may have links that were never followed:
    it is not remembered, so the next crawl fetches it and follows them."""
    last_finished = session.scalar(
        select(func.max(CrawlRun.finished_at)).where(
            CrawlRun.site_id == site_id, CrawlRun.status == "finished"
        )
    )
    if last_finished is None:
        return {}
    query = select(Page.url, Page.fetched_at, Page.kind, Page.status, Page.body).where(
        Page.site_id == site_id, Page.fetched_at <= last_finished
    )
    return {
        url: KnownPage(fetched, None, None, kind, status, body)
        for url, fetched, kind, status, body in session.execute(query)
    }


def remember_pages(
    session: Session, site_id: int, answers: Iterable[PageAnswer], when: datetime | None = None
) -> None:
    """Insert or update each answer's row (not committed)."""
    when = when or utcnow()
    answers = {answer.url: answer for answer in answers}
    if not answers:
        return
    rows = {
        page.url: page for page in session.scalars(select(Page).where(Page.url.in_(list(answers))))
    }
    for url, answer in answers.items():
        page = rows.get(url)
        if page is None:
            page = Page(site_id=site_id, url=url, first_seen=when)
            session.add(page)
        page.site_id = site_id
        page.kind, page.status, page.body = answer.kind, answer.status, answer.body
        page.fetched_at = when
