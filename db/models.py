"""The tables. Their columns are a public interface: users query them directly (docs: README)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Naive UTC timestamp: SQLite has no time zones, so every stored time is UTC by convention."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # "source" | "suspect"
    language: Mapped[str | None] = mapped_column(String(16))
    base_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="site")


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(DateTime)
    lang: Mapped[str | None] = mapped_column(String(16))
    lang_confidence: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    # sha256 of the extracted text: a re-crawl with the same hash changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    # Links found inside the article body, and the one that attributes it ("Source link").
    links: Mapped[list] = mapped_column(JSON, default=list)
    attribution_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="ok")  # "ok" | "gone"
    # Validators from the last fetch, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The raw response in the WARC archive (crawled articles only) and its payload's SHA-256.
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(Integer)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Fingerprint version this article was last matched with; NULL = waiting for `match`.
    matched_version: Mapped[int | None] = mapped_column(Integer, index=True)

    site: Mapped[Site] = relationship(back_populates="articles")


class Fingerprint(Base):
    """The dedup library's serialized fingerprint of an article, kept so matching is incremental."""

    __tablename__ = "fingerprints"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # NULL: too little text to fingerprint
    # The lexical (128), anchor (256) and number (128) MinHash signatures, little-endian uint32,
    # an empty one all 0xFFFFFFFF: what rebuilding the candidate index reads (migration 0002).
    # NULL where the index has a snapshot file or lives in Redis: computed from `data` then.
    signatures: Mapped[bytes | None] = mapped_column(LargeBinary)


class Match(Base):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("copy_id", "original_id", name="uq_matches_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))  # "verbatim" | "translation"
    # "original": copy_id republishes original_id. "sibling": both are copies of a third
    # article (two farms copying one source); kept as evidence, left out of the views.
    relation: Mapped[str] = mapped_column(String(16), default="original", server_default="original")
    # {"anchors": [...], "passages": [[original sentence, copy sentence], ...]}, and "rhythm"
    # (a z-score) when sentence lengths decided a translation whose anchors were too few
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    # The copy links to its original (e.g. a bare "Source link"): evidence, never required.
    attributed: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | finished | partial (budget, time or errors cut it short) | failed (nothing
    # fetched) | interrupted (a signal, or the process died); `reason` says why in one line.
    status: Mapped[str] = mapped_column(String(16), default="running")
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_changed: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    # Stored articles not requested again: nothing said they changed (incremental crawl).
    articles_skipped: Mapped[int] = mapped_column(Integer, default=0)
    articles_gone: Mapped[int] = mapped_column(Integer, default=0)
    non_articles: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)  # migration 0003


class Alert(Base):
    """An alert raised once: a site newly judged a syndicator, or a new copy of a watched source."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "subject", name="uq_alerts_kind_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "syndicator" | "watched_copy"
    subject: Mapped[str] = mapped_column(Text)  # site name or match id
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)  # webhook acknowledged


class SiteMarkup(Base):
    """How many of a site's pages had their markup read for identifiers (migration 0004): the
    denominator of an identifier's page count, and which sites count as crawled."""

    __tablename__ = "site_markup"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SiteIdentifier(Base):
    """An identifier an operator reuses, found in a site's page markup (crawler/identifiers.py)."""

    __tablename__ = "site_identifiers"
    __table_args__ = (UniqueConstraint("site_id", "kind", "value", name="uq_site_identifiers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # "adsense", "ga", "twitter", "wp-theme", …
    value: Mapped[str] = mapped_column(String(200), index=True)
    tier: Mapped[str] = mapped_column(String(16))  # "conclusive" | "associative" | "tertiary"
    pages: Mapped[int] = mapped_column(Integer, default=0)  # page fetches that carried it
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SiteLink(Base):
    """A host outside the site that its pages link, in article bodies or in the template."""

    __tablename__ = "site_links"
    __table_args__ = (UniqueConstraint("site_id", "host", "placement", name="uq_site_links"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    host: Mapped[str] = mapped_column(String(255), index=True)  # host[:port]
    placement: Mapped[str] = mapped_column(String(16))  # "body" | "template"
    example_url: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DiscoveryCandidate(Base):
    """An unlisted host `syndetect discover` proposes, with why, and what probing it found."""

    __tablename__ = "discovery_candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255), unique=True)  # host[:port]
    url: Mapped[str] = mapped_column(Text)  # where a probe or an added site's crawl starts
    # "proposed" | "probed" | "added" (crawled by later runs) | "ignored"
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    pages_probed: Mapped[int] = mapped_column(Integer, default=0)
    copies: Mapped[int] = mapped_column(Integer, default=0)
    original_sites: Mapped[list] = mapped_column(JSON, default=list)
    probe_note: Mapped[str | None] = mapped_column(Text)  # why a probe stopped short, if it did
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Page(Base):
    """A URL of a site that is not an article, remembered from its last fetch (migration 0005):
    a later crawl asks for it again only when `recheck_after` has passed, or, for a listing,
    when the page linking it showed something new. robots.txt answers are kept here too."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    # "listing": linked an article or led to a new URL; "other": neither (about, contact, a
    # broken link); "robots": the site's robots.txt, its text in `body`.
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer)  # last HTTP status; NULL: not fetched
    body: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
