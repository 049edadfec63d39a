"""Storage on real SQLite and PostgreSQL: migrations, idempotent writes, the two views."""

from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select, text

from db.models import Article, Match, Site
from db.queries import export, site_report
from db.session import DatabaseError, connect, session_factory
from db.store import (
    ArticleRecord,
    MatchRecord,
    mark_gone,
    store_article,
    upsert_matches,
    upsert_site,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, sqlite_url):
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = connect(url)
    yield engine
    engine.dispose()


def record(url: str, text: str = "Some article text about the harbour.", **kw) -> ArticleRecord:
    return ArticleRecord(url=url, text=text, title="T", lang="en", **kw)


def populate(session):
    source = upsert_site(session, "planet", "source", "en")
    farm = upsert_site(session, "farm", "suspect", "fr")
    innocent = upsert_site(session, "mirador", "suspect", "es")
    originals = []
    for i in range(3):
        store_article(
            session, source, record(f"http://p.example/{i}", published=datetime(2026, 3, i + 1))
        )
        originals.append(
            session.scalar(select(Article).where(Article.url == f"http://p.example/{i}"))
        )
    copies = []
    for i in range(2):
        store_article(session, farm, record(f"http://f.example/{i}", f"Texte {i}"))
        copies.append(session.scalar(select(Article).where(Article.url == f"http://f.example/{i}")))
    store_article(session, innocent, record("http://m.example/1", "Otro texto"))
    for copy, original in zip(copies, originals, strict=False):
        pair = MatchRecord(copy.id, original.id, 0.9, "translation", {"anchors": ["x"]}, False)
        upsert_matches(session, [pair])
    session.commit()
    return originals, copies


def test_schema_is_migrated_with_views(engine):
    inspector = inspect(engine)
    assert {"sites", "articles", "fingerprints", "matches", "crawl_runs"} <= set(
        inspector.get_table_names()
    )
    assert {"copies", "site_report"} <= set(inspector.get_view_names())
    # Opening again runs no migration twice and keeps the data.
    connect(engine.url.render_as_string(hide_password=False)).dispose()


def test_site_report_and_copies_view(engine):
    with session_factory(engine)() as session:
        populate(session)
        report = {row["site"]: row for row in site_report(session)}
        assert report["farm"]["copies"] == 2 and report["farm"]["syndicator"] is True
        assert report["farm"]["original_sites"] == ["planet"]
        assert report["farm"]["copy_share"] == 1.0
        assert report["planet"]["syndicator"] is False and report["planet"]["articles"] == 3
        assert report["mirador"]["copies"] == 0 and report["mirador"]["syndicator"] is False
        rows = list(export(session, "matches"))
        assert {(r["copy_url"], r["original_url"]) for r in rows} == {
            ("http://f.example/0", "http://p.example/0"),
            ("http://f.example/1", "http://p.example/1"),
        }
        assert set(rows[0]) >= {
            "id",
            "copy_url",
            "original_url",
            "copy_site",
            "original_site",
            "copy_lang",
            "original_lang",
            "kind",
            "score",
        }
        with_site = (
            session.execute(
                text("SELECT copy_site FROM copies WHERE original_site = :s"), {"s": "planet"}
            )
            .scalars()
            .all()
        )
        assert with_site == ["farm", "farm"]


def test_rewrites_never_duplicate(engine):
    with session_factory(engine)() as session:
        originals, copies = populate(session)
        populate(session)
        site = session.scalar(select(Site).where(Site.name == "planet"))
        assert (
            store_article(
                session, site, record("http://p.example/0", published=datetime(2026, 3, 1))
            )
            == "unchanged"
        )
        assert store_article(session, site, record("http://p.example/0", "New text")) == "changed"
        # The same pair found the other way round is turned, not doubled.
        turned = MatchRecord(originals[0].id, copies[0].id, 0.8, "translation", {}, True)
        assert upsert_matches(session, [turned]) == 0
        session.commit()
        assert session.scalar(select(func.count()).select_from(Article)) == 6
        assert session.scalar(select(func.count()).select_from(Site)) == 3
        assert session.scalar(select(func.count()).select_from(Match)) == 2


def test_gone_articles_are_kept(engine):
    with session_factory(engine)() as session:
        populate(session)
        assert mark_gone(session, "http://p.example/1")
        assert not mark_gone(session, "http://p.example/404")
        session.commit()
        gone = session.scalar(select(Article).where(Article.url == "http://p.example/1"))
        assert gone.status == "gone"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "not a valid SQLAlchemy URL"),
        ("sqlite:////no/such/dir/x.db", "does not exist"),
        ("postgresql+psycopg://u@127.0.0.1:1/x", "cannot open database"),
        ("oracle+nodriver://x", "driver not available"),
    ],
)
def test_bad_database_urls_are_one_line_errors(url, message):
    with pytest.raises(DatabaseError) as caught:
        connect(url)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_head_constant_is_alembics_head(sqlite_url):
    # The fast path of opening a database trusts db.migrate.HEAD: a new migration must move it.
    from alembic.script import ScriptDirectory

    from db.migrate import HEAD, alembic_config

    engine = connect(sqlite_url, migrate=False)
    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == HEAD


def test_crawlers_share_the_lock_that_run_and_match_hold_alone(engine):
    # PostgreSQL: crawlers (shared) side by side, never beside `match` or `run` (exclusive), so
    # a `run` never marks a live crawl's row interrupted. SQLite: one job at a time.
    from db.lock import DatabaseBusy, exclusive

    with exclusive(engine, "crawl", shared=True):
        with pytest.raises(DatabaseBusy), exclusive(engine, "run"):
            pass
        if engine.dialect.name == "postgresql":
            with exclusive(engine, "crawl", shared=True):
                pass
    with exclusive(engine, "run"):
        pass


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("syndetect.db", "for a SQLite file write sqlite:///syndetect.db"),
        ("postgres://u:secret@127.0.0.1/x", "write postgresql+psycopg://"),
        ("mysql+nodriver://u:secret@127.0.0.1/x", "driver not available"),
    ],
)
def test_database_url_slips_get_a_hint_and_never_show_the_password(url, needle):
    with pytest.raises(DatabaseError) as caught:
        connect(url)
    message = str(caught.value)
    assert needle in message and "secret" not in message and "\n" not in message


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///"])
def test_an_in_memory_database_url_from_the_user_is_refused(url):
    from db.session import reject_in_memory

    with pytest.raises(DatabaseError, match="names no file"):
        reject_in_memory(url)


def test_percent_in_a_database_url_is_no_interpolation(tmp_path, postgres_url):
    engine = connect(f"sqlite:///{tmp_path / '100%.db'}")
    assert inspect(engine).has_table("sites")
    # The server trusts loopback, so the URL-encoded password is accepted and ignored; before,
    # the migration's ConfigParser choked on '%40' and printed the URL.
    with_password = postgres_url.replace("postgres@", "postgres:p%40ss@")
    assert inspect(connect(with_password)).has_table("sites")
    with pytest.raises(DatabaseError) as caught:
        connect("postgresql+psycopg://postgres:p%40ss@127.0.0.1:1/db")
    assert "p%40ss" not in str(caught.value) and "p@ss" not in str(caught.value)


def test_read_commands_never_create_a_database(tmp_path):
    with pytest.raises(DatabaseError, match="no database at"):
        connect(f"sqlite:///{tmp_path / 'none.db'}", create=False)
    assert list(tmp_path.iterdir()) == []
