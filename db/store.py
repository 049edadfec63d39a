"""Writes: sites, articles, fingerprints, matches and crawl runs, idempotent so re-runs never
duplicate rows. Every function works inside the caller's session; the caller commits."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from sqlalchemy import Row, bindparam, case, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from db.models import Article, CrawlRun, Fingerprint, Match, Site, utcnow

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def storable(value: str | None) -> str | None:
    """`value` as both databases can store it: PostgreSQL refuses NUL in text and SQLite's
    driver a lone surrogate. One page (an ETag of "x\\0y", a title with &#xD800;) must not stop
    a crawl, and both databases must hold the same text: NUL is dropped, a lone surrogate
    becomes U+FFFD."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = LONE_SURROGATE.sub("\ufffd", value)
    return value


def upsert_site(
    session: Session,
    name: str,
    role: str,
    language: str | None = None,
    base_url: str | None = None,
) -> Site:
    """The site called `name`, created or brought in line with the config's role and hints."""
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        site = Site(name=name, role=role, language=language, base_url=base_url)
        try:
            with session.begin_nested():
                session.add(site)
            return site
        except IntegrityError:
            # Created meanwhile by another process sharing the database.
            site = session.scalar(select(Site).where(Site.name == name))
    site.role = role
    site.language = language or site.language
    site.base_url = base_url or site.base_url
    return site


@dataclass
class ArticleRecord:
    """What the crawler or `ingest` hands over for one article."""

    url: str
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    links: list[str] = field(default_factory=list)
    attribution_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    payload_sha256: str | None = None


ARCHIVE_FIELDS = ("warc_file", "warc_offset", "payload_sha256")


def _storable_record(record: ArticleRecord) -> ArticleRecord:
    return replace(
        record,
        url=storable(record.url),
        text=storable(record.text),
        title=storable(record.title),
        author=storable(record.author),
        lang=storable(record.lang),
        links=[storable(link) for link in record.links],
        attribution_url=storable(record.attribution_url),
        etag=storable(record.etag),
        last_modified=storable(record.last_modified),
    )


# Built once: this runs for every page of a crawl, on the reactor thread, where building the
# statement cost as much as running it.
_ARTICLE_ID_BY_URL = select(Article.id).where(Article.url == bindparam("url"))
_INSERT_ARTICLE = insert(Article)


def store_article(session: Session, site: Site, record: ArticleRecord) -> str:
    """Insert or update one article; returns "new", "changed" or "unchanged".

    A changed text invalidates the fingerprint and queues the article for matching again;
    an unchanged one only refreshes last_seen (and comes back from "gone").
    """
    record = _storable_record(record)
    now = utcnow()
    digest = content_hash(record.text)
    connection = session.connection()
    article_id = connection.scalar(_ARTICLE_ID_BY_URL, {"url": record.url})
    if article_id is None:
        # A Core INSERT on the session's connection with the row as parameters, not the ORM's
        # unit of work nor .values(): the ORM's bookkeeping was most of its cost.
        connection.execute(
            _INSERT_ARTICLE,
            {
                "site_id": site.id,
                "url": record.url,
                "title": record.title,
                "author": record.author,
                "published": record.published,
                "lang": record.lang,
                "lang_confidence": record.lang_confidence,
                "text": record.text,
                "word_count": len(record.text.split()),
                "content_hash": digest,
                "links": list(record.links),
                "attribution_url": record.attribution_url,
                "status": "ok",
                "etag": record.etag,
                "last_modified": record.last_modified,
                "fetched_at": now,
                **{name: getattr(record, name) for name in ARCHIVE_FIELDS},
                "first_seen": now,
                "last_seen": now,
            },
        )
        return "new"
    article = session.get(Article, article_id)
    article.last_seen = article.fetched_at = now
    article.status = "ok"
    article.etag, article.last_modified = record.etag, record.last_modified
    if article.content_hash == digest and article.site_id == site.id:
        return "unchanged"
    article.site_id = site.id
    article.title = record.title
    article.author = record.author
    article.published = record.published or article.published
    article.lang = record.lang
    article.lang_confidence = record.lang_confidence
    article.text = record.text
    article.word_count = len(record.text.split())
    article.content_hash = digest
    article.links = list(record.links)
    article.attribution_url = record.attribution_url
    for name in ARCHIVE_FIELDS:
        setattr(article, name, getattr(record, name))
    article.matched_version = None
    session.execute(delete(Fingerprint).where(Fingerprint.article_id == article.id))
    return "changed"


def mark_gone(session: Session, url: str) -> bool:
    """Flag a stored article whose page now answers 404/410; it is kept as evidence."""
    result = session.execute(
        update(Article).where(Article.url == url).values(status="gone", last_seen=utcnow())
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class Known:
    """What the crawler remembers of a stored article to decide whether to fetch it again."""

    fetched_at: datetime | None
    etag: str | None
    last_modified: str | None


def known_articles(session: Session, site_id: int) -> dict[str, Known]:
    query = select(Article.url, Article.fetched_at, Article.etag, Article.last_modified).where(
        Article.site_id == site_id
    )
    return {
        url: Known(fetched, etag, modified)
        for url, fetched, etag, modified in session.execute(query)
    }


def mark_unchanged(session: Session, url: str) -> bool:
    """A stored article answered 304 Not Modified: it is still there, as it was."""
    now = utcnow()
    result = session.execute(
        update(Article).where(Article.url == url).values(status="ok", last_seen=now, fetched_at=now)
    )
    return bool(result.rowcount)


# -- fingerprints and matching -------------------------------------------------------------


def articles_needing_fingerprint(session: Session, version: int) -> list[int]:
    """Ids of articles with no fingerprint of the current version."""
    current = select(Fingerprint.article_id).where(Fingerprint.version == version)
    return list(session.scalars(select(Article.id).where(Article.id.not_in(current))))


# `ingest` and `crawl` may change an article while `match` works on it. What `match` read is
# remembered in its session (article id → content hash of the text read), so that it stores a
# fingerprint, and marks an article matched, only for the text it actually read; a text changed
# meanwhile stays waiting for the next `match`.
_VERSIONS_READ = "syndetect.versions_read"


def _remember_versions(session: Session, rows: Iterable[tuple[int, str]]) -> None:
    session.info.setdefault(_VERSIONS_READ, {}).update(rows)


def _versions_read(session: Session) -> dict[int, str]:
    return session.info.setdefault(_VERSIONS_READ, {})


def texts_to_fingerprint(
    session: Session, article_ids: list[int]
) -> list[tuple[int, str, str | None, str | None]]:
    """(id, text, lang, title) of the given articles, in one query."""
    query = select(
        Article.id, Article.text, Article.lang, Article.title, Article.content_hash
    ).where(Article.id.in_(article_ids))
    rows = session.execute(query).all()
    _remember_versions(session, ((row.id, row.content_hash) for row in rows))
    return [(row.id, row.text, row.lang, row.title) for row in rows]


def _unchanged_since_read(session: Session, article_ids: Iterable[int]) -> set[int]:
    """Those of article_ids whose text is still the one read (or was not read through this
    session). Their rows are locked until the caller commits (PostgreSQL): a concurrent change
    waits, then deletes what this transaction wrote for the old text. Rows a writer holds are
    skipped (counted as changed, done again next time) rather than waited for: waiting while
    holding other rows could deadlock with an `ingest` that changes several articles."""
    read = _versions_read(session)
    ids = sorted(set(article_ids))
    unchanged: set[int] = set()
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        query = (
            select(Article.id, Article.content_hash)
            .where(Article.id.in_(chunk))
            .with_for_update(skip_locked=True)
        )
        unchanged.update(
            article_id
            for article_id, digest in session.execute(query)
            if read.get(article_id, digest) == digest
        )
    return unchanged


def save_fingerprints(
    session: Session, rows: list[tuple[int, bytes | None, bytes | None]], version: int
) -> None:
    """Store (article id, fingerprint bytes, signature bytes or None), None for both when the
    article is too short, in bulk: one query finds which articles had an older fingerprint, then one
    executemany each for updates and inserts. An article whose text changed since it was read
    gets none: it is fingerprinted again next time."""
    current = _unchanged_since_read(session, [article_id for article_id, _, _ in rows])
    rows = [row for row in rows if row[0] in current]
    ids = [article_id for article_id, _, _ in rows]
    existing = set(
        session.scalars(select(Fingerprint.article_id).where(Fingerprint.article_id.in_(ids)))
    )
    values = [
        {"article_id": i, "version": version, "data": data, "signatures": signatures}
        for i, data, signatures in rows
    ]
    updates = [row for row in values if row["article_id"] in existing]
    inserts = [row for row in values if row["article_id"] not in existing]
    if updates:
        session.execute(update(Fingerprint), updates)
        # A new fingerprint version means the old matching no longer speaks for this article.
        session.execute(
            update(Article).where(Article.id.in_(existing)).values(matched_version=None)
        )
    if inserts:
        session.execute(insert(Fingerprint), inserts)


def articles_for_matching(session: Session, article_ids: list[int]) -> dict[int, Row]:
    """What recording a match needs of each article (its site's role, dates, URL, links and
    text), in one query: rows, not ORM objects, as `match` records thousands of pairs."""
    query = (
        select(
            Article.id,
            Article.site_id,
            Site.role,
            Article.published,
            Article.first_seen,
            Article.url,
            Article.links,
            Article.attribution_url,
            Article.text,
        )
        .join(Site, Site.id == Article.site_id)
        .where(Article.id.in_(article_ids))
    )
    return {row.id: row for row in session.execute(query)}


def sites_of(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """The site of each of article_ids that still exists."""
    ids = sorted(set(article_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        query = select(Article.id, Article.site_id).where(Article.id.in_(chunk))
        found.update(session.execute(query).all())
    return found


def load_fingerprints(session: Session, article_ids: list[int], version: int) -> dict[int, bytes]:
    """Fingerprint bytes of the current version for those of article_ids that have one."""
    query = select(Fingerprint.article_id, Fingerprint.data).where(
        Fingerprint.article_id.in_(article_ids),
        Fingerprint.version == version,
        Fingerprint.data.is_not(None),
    )
    return {article_id: data for article_id, data in session.execute(query)}


def site_match_counts(session: Session) -> dict[tuple[int, int], int]:
    """Matches per (copy's site, original's site): how sites are linked by their copies."""
    copy, original = aliased(Article), aliased(Article)
    query = (
        select(copy.site_id, original.site_id, func.count())
        .select_from(Match)
        .join(copy, copy.id == Match.copy_id)
        .join(original, original.id == Match.original_id)
        .group_by(copy.site_id, original.site_id)
    )
    return {(a, b): n for a, b, n in session.execute(query)}


def dated_on_site(
    session: Session, site_id: int, version: int, not_matched_with: int | None = None
) -> dict[int, datetime | None]:
    """The articles of a site that have a current fingerprint, with their date (published,
    else first seen); with not_matched_with, only those in no match with that site's articles,
    either way."""
    query = (
        select(Article.id, func.coalesce(Article.published, Article.first_seen))
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .where(
            Article.site_id == site_id,
            Fingerprint.version == version,
            Fingerprint.data.is_not(None),
        )
    )
    if not_matched_with is not None:
        other = aliased(Article)
        copies = select(Match.copy_id).join(other, other.id == Match.original_id)
        originals = select(Match.original_id).join(other, other.id == Match.copy_id)
        query = query.where(
            Article.id.not_in(copies.where(other.site_id == not_matched_with)),
            Article.id.not_in(originals.where(other.site_id == not_matched_with)),
        )
    return {article_id: when for article_id, when in session.execute(query)}


def matched_on_site(session: Session, site_id: int) -> set[int]:
    """The articles of a site in a match, either way."""
    ids = select(Match.copy_id).union(select(Match.original_id)).subquery()
    query = select(Article.id).where(Article.site_id == site_id, Article.id.in_(select(ids)))
    return set(session.scalars(query))


def _matched_condition(version: int, matched: bool):
    if matched:
        return Article.matched_version == version
    return Article.matched_version.is_(None) | (Article.matched_version != version)


def count_fingerprints(session: Session, version: int, matched: bool) -> int:
    query = (
        select(func.count())
        .select_from(Fingerprint)
        .join(Article, Article.id == Fingerprint.article_id)
        .where(_current_fingerprint(version, matched))
    )
    return session.scalar(query)


def iter_fingerprints(
    session: Session, version: int, matched: bool, batch: int = 2000
) -> Iterator[tuple[int, bytes]]:
    """(article id, fingerprint bytes) of the current version, for articles already matched
    (matched=True) or still waiting (matched=False)."""
    query = (
        select(Fingerprint.article_id, Fingerprint.data, Article.content_hash)
        .join(Article, Article.id == Fingerprint.article_id)
        .where(_current_fingerprint(version, matched))
        .order_by(Fingerprint.article_id)
        .execution_options(yield_per=batch)
    )
    read = _versions_read(session)
    for article_id, data, digest in session.execute(query):
        read[article_id] = digest
        yield article_id, data


def signature_batches(
    session: Session, version: int, batch: int, article_ids: Sequence[int] | None = None
) -> Iterator[list[tuple[int, bytes | None, bytes | None]]]:
    """Lists of up to `batch` (article id, signature bytes, fingerprint bytes) of the matched
    articles (those of article_ids only, if given), for loading the candidate index; the
    fingerprint bytes only where the signatures are not stored (an index with a snapshot file
    or in Redis, rows written before migration 0002), to compute them from."""
    query = (
        select(
            Fingerprint.article_id,
            Fingerprint.signatures,
            case((Fingerprint.signatures.is_(None), Fingerprint.data)),
        )
        .join(Article, Article.id == Fingerprint.article_id)
        .where(_current_fingerprint(version, matched=True))
    )
    if article_ids is not None:
        # A few ids per statement: SQLite caps the number of bound parameters.
        step = min(batch, _IDS_PER_STATEMENT)
        for start in range(0, len(article_ids), step):
            chunk = [int(i) for i in article_ids[start : start + step]]
            rows = session.execute(query.where(Fingerprint.article_id.in_(chunk))).all()
            if rows:
                yield [tuple(row) for row in rows]
        return
    # Core rows on the session's connection, fetched a batch at a time: the ORM's result
    # processing, and rows fetched one by one, were most of the cost of reading a million.
    # The option goes on the statement: set on a Connection it stays for every later
    # statement (a server-side cursor on PostgreSQL, where an UPDATE then fails).
    result = session.connection().execute(query.execution_options(yield_per=batch))
    yield from result.partitions()


_IDS_PER_STATEMENT = 10_000


def matched_article_ids(session: Session, version: int) -> np.ndarray:
    """Ids of the articles matched with this fingerprint version: those in the candidate index
    and those too short to fingerprint (read from an index of articles alone: a join with
    fingerprints costs a lookup per article)."""
    connection = session.connection()
    query = select(Article.id).where(_matched_condition(version, matched=True))
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    # Straight from the driver's cursor: SQLAlchemy's row objects cost three times the query
    # itself at a million rows.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return np.fromiter((row[0] for row in cursor), dtype=np.int64)
    finally:
        cursor.close()


def _current_fingerprint(version: int, matched: bool):
    return (
        (Fingerprint.version == version)
        & Fingerprint.data.is_not(None)
        & _matched_condition(version, matched)
    )


def unfingerprintable(session: Session, version: int) -> list[int]:
    """Unmatched articles whose current fingerprint is empty (too little text)."""
    query = (
        select(Article.id, Article.content_hash)
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .where(
            Fingerprint.version == version,
            Fingerprint.data.is_(None),
            _matched_condition(version, matched=False),
        )
    )
    rows = session.execute(query).all()
    _remember_versions(session, rows)
    return [article_id for article_id, _ in rows]


def mark_matched(session: Session, article_ids: list[int], version: int) -> None:
    """Mark the articles matched with fingerprint `version`: only in the version of their text
    that was fingerprinted and matched (read through this session). One changed meanwhile by
    `ingest` or `crawl` stays waiting, with its new text, for the next `match`."""
    current = sorted(_unchanged_since_read(session, article_ids))
    has_fingerprint = select(Fingerprint.article_id).where(Fingerprint.version == version)
    for start in range(0, len(current), _IDS_PER_STATEMENT):
        chunk = current[start : start + _IDS_PER_STATEMENT]
        session.execute(
            update(Article)
            # A change of text deletes the fingerprint too (store_article).
            .where(Article.id.in_(chunk), Article.id.in_(has_fingerprint))
            .values(matched_version=version)
        )
    read = _versions_read(session)
    for article_id in article_ids:
        read.pop(article_id, None)


@dataclass(frozen=True)
class MatchRecord:
    copy_id: int
    original_id: int
    score: float
    kind: str
    evidence: dict
    attributed: bool


Pair = frozenset[int]


def stored_partners(session: Session, article_ids: list[int]) -> dict[int, set[int]]:
    """For each of article_ids that is in a recorded pair, the articles it is paired with."""
    partners: dict[int, set[int]] = {}
    for start in range(0, len(article_ids), _IDS_PER_STATEMENT):
        chunk = article_ids[start : start + _IDS_PER_STATEMENT]
        query = select(Match.copy_id, Match.original_id).where(
            Match.copy_id.in_(chunk) | Match.original_id.in_(chunk)
        )
        for copy_id, original_id in session.execute(query):
            partners.setdefault(copy_id, set()).add(original_id)
            partners.setdefault(original_id, set()).add(copy_id)
    wanted = set(article_ids)
    return {article_id: found for article_id, found in partners.items() if article_id in wanted}


def withdraw_unconfirmed(
    session: Session, article_ids: list[int], confirmed: set[Pair]
) -> dict[Pair, datetime]:
    """Delete the recorded pairs of article_ids that are not in `confirmed`: `match` verified
    these articles again (their text changed, or the fingerprints did) against every article
    they were paired with, and these pairs no longer hold. Returns each deleted pair's first
    detection time, for upsert_matches to keep if a later step of the same run finds it again."""
    withdrawn: dict[Pair, datetime] = {}
    for start in range(0, len(article_ids), _IDS_PER_STATEMENT):
        chunk = article_ids[start : start + _IDS_PER_STATEMENT]
        query = select(Match.id, Match.copy_id, Match.original_id, Match.detected_at).where(
            Match.copy_id.in_(chunk) | Match.original_id.in_(chunk)
        )
        stale = {}
        for match_id, copy_id, original_id, detected_at in session.execute(query):
            pair = frozenset((copy_id, original_id))
            if pair not in confirmed:
                stale[match_id] = pair
                withdrawn[pair] = detected_at
        if stale:
            session.execute(delete(Match).where(Match.id.in_(list(stale))))
    return withdrawn


def upsert_matches(
    session: Session, records: list[MatchRecord], withdrawn: dict[Pair, datetime] | None = None
) -> int:
    """Record copy → original pairs; returns how many are new. An existing pair keeps its
    first detection time and takes the latest score and evidence. A pair recorded the other way
    round (the originality decision changed with new facts) is turned around, not duplicated.
    A pair in `withdrawn` (withdraw_unconfirmed earlier in the run) comes back with its first
    detection time, is not counted as new, and leaves `withdrawn`.
    One query finds the existing pairs, one executemany each inserts and updates: `match`
    records a batch of verified pairs at a time."""
    withdrawn = {} if withdrawn is None else withdrawn
    latest = {frozenset((r.copy_id, r.original_id)): r for r in records}
    ids = {article_id for pair in latest for article_id in pair}
    existing = {
        frozenset((copy_id, original_id)): match_id
        for match_id, copy_id, original_id in session.execute(
            select(Match.id, Match.copy_id, Match.original_id).where(
                Match.copy_id.in_(ids), Match.original_id.in_(ids)
            )
        )
    }
    inserts, updates = [], []
    now = utcnow()
    withdrawn_before, new = set(withdrawn), 0
    for pair, r in latest.items():
        values = {
            "copy_id": r.copy_id,
            "original_id": r.original_id,
            "score": r.score,
            "kind": r.kind,
            "evidence": r.evidence,
            "attributed": r.attributed,
        }
        if pair in existing:
            updates.append({"id": existing[pair], **values})
        else:
            inserts.append({**values, "detected_at": withdrawn.pop(pair, None) or now})
            new += pair not in withdrawn_before
    if inserts:
        session.execute(insert(Match), inserts)
    if updates:
        session.execute(update(Match), updates)
    return new


def resolve_relations(session: Session) -> int:
    """Mark copy → "original" pairs whose original is itself a copy of an article the copy
    also matches: two farms copying one source match each other too, and that pair says
    nothing about who republishes whom. Recomputed over all matches, so the result does not
    depend on the order in which articles arrived. Returns the number of sibling pairs."""
    session.execute(
        text(
            """
            UPDATE matches SET relation = CASE WHEN EXISTS (
                SELECT 1 FROM matches a JOIN matches b ON b.original_id = a.original_id
                WHERE a.copy_id = matches.copy_id AND b.copy_id = matches.original_id
            ) THEN 'sibling' ELSE 'original' END
            """
        )
    )
    return session.scalar(
        select(func.count()).select_from(Match).where(Match.relation == "sibling")
    )


# -- crawl runs ----------------------------------------------------------------------------


def start_run(session: Session, site_id: int | None) -> CrawlRun:
    run = CrawlRun(
        site_id=site_id,
        started_at=utcnow(),
        status="running",
        pages_fetched=0,
        articles_new=0,
        articles_changed=0,
        articles_unchanged=0,
        articles_skipped=0,
        articles_gone=0,
        non_articles=0,
        errors=0,
    )
    session.add(run)
    session.flush()
    return run


def interrupt_stale_runs(session: Session) -> int:
    """Runs still marked running when no other job can be running (the caller holds the
    database lock) were killed: say so."""
    result = session.execute(
        update(CrawlRun)
        .where(CrawlRun.status == "running")
        .values(status="interrupted", finished_at=utcnow())
    )
    return result.rowcount


def finish_run(session: Session, run: CrawlRun, status: str, counts: dict[str, int]) -> None:
    for key, value in counts.items():
        setattr(run, key, value)
    run.status = status
    run.finished_at = utcnow()
