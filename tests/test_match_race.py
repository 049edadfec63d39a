"""`ingest` or `crawl` changing an article while `match` works on it (issue 23, item 8): the
store keeps a fingerprint, and marks an article matched, only for the text `match` read; a
text changed meanwhile waits for the next `match`. On SQLite and PostgreSQL, with two real
sessions interleaved as the two processes would."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Article
from db.session import connect, session_factory
from db.store import (
    ArticleRecord,
    articles_needing_fingerprint,
    iter_fingerprints,
    mark_matched,
    save_fingerprints,
    store_article,
    texts_to_fingerprint,
    upsert_site,
)

VERSION = 7
OLD = "The harbour master said the new quay opens in May after two years of works."
NEW = "A different story entirely: the council votes on the school budget next week."


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, sqlite_url):
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = connect(url)
    factory = session_factory(engine)
    with factory() as ingest, factory() as match:
        site = upsert_site(ingest, "farm", "suspect")
        for n in (1, 2):
            store_article(ingest, site, ArticleRecord(url=f"https://farm.example/{n}", text=OLD))
        ingest.commit()
        ids = list(ingest.scalars(select(Article.id).order_by(Article.id)))
        yield ingest, match, site, ids
    engine.dispose()


def change(session, site, n: int) -> None:
    store_article(session, site, ArticleRecord(url=f"https://farm.example/{n}", text=NEW))
    session.commit()


def test_fingerprint_of_a_text_changed_meanwhile_is_not_kept(sessions):
    ingest, match, site, ids = sessions
    read = texts_to_fingerprint(match, ids)
    match.commit()
    change(ingest, site, 1)  # while match computes the fingerprints of the old texts
    save_fingerprints(match, [(i, b"fp", b"sig") for i, *_ in read], VERSION)
    match.commit()
    # The changed article waits for a fingerprint of its new text; the other has its own.
    assert articles_needing_fingerprint(match, VERSION) == [ids[0]]


def test_article_changed_during_matching_stays_waiting(sessions):
    ingest, match, site, ids = sessions
    read = texts_to_fingerprint(match, ids)
    save_fingerprints(match, [(i, b"fp", b"sig") for i, *_ in read], VERSION)
    match.commit()
    pending = list(iter_fingerprints(match, VERSION, matched=False))
    match.commit()
    change(ingest, site, 1)  # while match looks for its pairs
    mark_matched(match, [article_id for article_id, _ in pending], VERSION)
    match.commit()
    versions = dict(match.execute(select(Article.id, Article.matched_version)).all())
    assert versions == {ids[0]: None, ids[1]: VERSION}
