"""The read queries behind the analyst's HTML report (crawler/report): each site's last crawl run,
copies and siblings with both articles, and the common original of a sibling match.

Rows are streamed in id order so a report over 100,000 matches never holds ORM objects for all
of them; the SQL joins the tables the `copies` view joins, plus the dates and crawl columns the
view does not carry.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.models import Article, CrawlRun, Match, Site, SiteMarkup


@dataclass(frozen=True)
class LastRun:
    """When a site's latest crawl run ran and what it counted. Its status and reason are read
    from `site_report` (crawl_status, crawl_reason), as every other report format reads them."""

    started_at: datetime | None
    finished_at: datetime | None
    pages_fetched: int
    errors: int


def last_runs(session: Session) -> dict[str, LastRun]:
    """Site name -> its latest crawl run. Sites never crawled are absent."""
    latest = select(func.max(CrawlRun.id)).where(CrawlRun.site_id.is_not(None))
    query = (
        select(
            Site.name,
            CrawlRun.started_at,
            CrawlRun.finished_at,
            CrawlRun.pages_fetched,
            CrawlRun.errors,
        )
        .join(Site, Site.id == CrawlRun.site_id)
        .where(CrawlRun.id.in_(latest.group_by(CrawlRun.site_id)))
    )
    return {
        name: LastRun(started, finished, pages or 0, errors or 0)
        for name, started, finished, pages, errors in session.execute(query)
    }


def as_datetime(value: Any) -> datetime | None:
    """A datetime from a raw SQL value: on SQLite, text() and views return the stored text."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


class Side(NamedTuple):
    """One article of a match as the report shows it (a tuple: 100,000 are built per report)."""

    id: int
    site: str
    url: str
    title: str | None
    lang: str | None
    published: datetime | None
    first_seen: datetime | None


class MatchRow(NamedTuple):
    id: int
    relation: str  # "original" (copy republishes original) | "sibling" (two copies of one)
    kind: str
    score: float
    attributed: bool
    detected_at: datetime
    copy: Side
    original: Side


_COPY, _ORIGINAL = aliased(Article), aliased(Article)
_COPY_SITE, _ORIGINAL_SITE = aliased(Site), aliased(Site)
_SIDE_COLUMNS = ("id", "url", "title", "lang", "published", "first_seen")


def _match_query():
    return (
        select(
            Match.id,
            Match.relation,
            Match.kind,
            Match.score,
            Match.attributed,
            Match.detected_at,
            _COPY_SITE.name,
            *(getattr(_COPY, c) for c in _SIDE_COLUMNS),
            _ORIGINAL_SITE.name,
            *(getattr(_ORIGINAL, c) for c in _SIDE_COLUMNS),
        )
        .join(_COPY, _COPY.id == Match.copy_id)
        .join(_COPY_SITE, _COPY_SITE.id == _COPY.site_id)
        .join(_ORIGINAL, _ORIGINAL.id == Match.original_id)
        .join(_ORIGINAL_SITE, _ORIGINAL_SITE.id == _ORIGINAL.site_id)
    )


def _side(site: str, values: Sequence[Any]) -> Side:
    return Side(values[0], site, *values[1:])


def _row(values: Sequence[Any]) -> MatchRow:
    n = len(_SIDE_COLUMNS)
    head, copy, original = values[:7], values[7 : 7 + n], values[8 + n :]
    return MatchRow(
        id=head[0],
        relation=head[1],
        kind=head[2],
        score=head[3],
        attributed=bool(head[4]),
        detected_at=head[5],
        copy=_side(head[6], copy),
        original=_side(values[7 + n], original),
    )


def match_rows(
    session: Session,
    site: str | None = None,
    between: tuple[int, int] | None = None,
    batch: int = 5000,
) -> Iterator[MatchRow]:
    """Every match (copies and siblings) in id order, both articles joined; only matches whose
    copy or original is on `site` when given, and whose id is `between` (first, last) when
    given."""
    query = _match_query().order_by(Match.id)
    if site is not None:
        query = query.where(_on_site(site))
    if between is not None:
        query = query.where(Match.id.between(*between))
    result = session.execute(query.execution_options(yield_per=batch))
    for values in result:
        yield _row(values)


def match_ids(session: Session, site: str | None = None) -> list[int]:
    """The ids match_rows yields, in the same order."""
    query = _match_query().with_only_columns(Match.id).order_by(Match.id)
    if site is not None:
        query = query.where(_on_site(site))
    return list(session.scalars(query))


def _on_site(site: str):
    return (_COPY_SITE.name == site) | (_ORIGINAL_SITE.name == site)


def matches_by_id(session: Session, ids: Sequence[int]) -> dict[int, MatchRow]:
    rows = session.execute(_match_query().where(Match.id.in_(list(ids))))
    return {row.id: row for row in map(_row, rows)}


def common_originals(session: Session, pairs: Sequence[tuple[int, int]]) -> dict[tuple, Side]:
    """(copy_id, other copy_id) of sibling matches -> the original both republish (the lowest
    id if several), where stored. Two queries on indexed columns: a join of matches with
    themselves on original_id made SQLite scan them."""
    copies = sorted({a for pair in pairs for a in pair})
    originals: dict[int, set[int]] = {}
    query = select(Match.copy_id, Match.original_id).where(
        Match.relation == "original", Match.copy_id.in_(copies)
    )
    for copy, original in session.execute(query):
        originals.setdefault(copy, set()).add(original)
    chosen = {
        pair: min(common)
        for pair in set(pairs)
        if (common := originals.get(pair[0], set()) & originals.get(pair[1], set()))
    }
    sides = select(_ORIGINAL_SITE.name, *(getattr(_ORIGINAL, c) for c in _SIDE_COLUMNS)).join(
        _ORIGINAL_SITE, _ORIGINAL_SITE.id == _ORIGINAL.site_id
    )
    found = {
        values[0]: _side(site, values)
        for site, *values in session.execute(
            sides.where(_ORIGINAL.id.in_(sorted(set(chosen.values()))))
        )
    }
    return {pair: found[original] for pair, original in chosen.items() if original in found}


class Archived(NamedTuple):
    """An article's archived response and status, as its evidence page shows them."""

    id: int
    status: str | None
    lang_confidence: float | None
    warc_file: str | None
    warc_offset: int | None
    payload_sha256: str | None
    role: str


def archive_of(session: Session, ids: Sequence[int]) -> dict[int, Archived]:
    """Article id -> its archived response and status, for the evidence pages."""
    query = select(
        Article.id,
        Article.status,
        Article.lang_confidence,
        Article.warc_file,
        Article.warc_offset,
        Article.payload_sha256,
        Site.role,
    ).join(Site, Site.id == Article.site_id)
    rows = session.execute(query.where(Article.id.in_(list(ids))))
    return {row[0]: Archived(*row) for row in rows}


def match_counts(session: Session) -> dict[str, int]:
    """Matches per relation: "original" (copies) and "sibling"."""
    query = select(Match.relation, func.count()).group_by(Match.relation)
    return {"original": 0, "sibling": 0, **dict(session.execute(query).all())}


def totals(session: Session) -> dict[str, Any]:
    """What was monitored and found, for the report's summary."""
    sites = dict(session.execute(select(Site.role, func.count()).group_by(Site.role)).all())
    articles, first_seen, last_seen = session.execute(
        select(func.count(), func.min(Article.first_seen), func.max(Article.last_seen))
    ).one()
    relations = match_counts(session)
    return {
        "sources": sites.get("source", 0),
        "suspects": sites.get("suspect", 0),
        "articles": articles,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "copies": relations["original"],
        "siblings": relations["sibling"],
    }


def markup_recorded(session: Session) -> int:
    """Sites whose pages' identifiers were read: none means networks cannot be known yet."""
    return session.scalar(select(func.count()).select_from(SiteMarkup)) or 0
