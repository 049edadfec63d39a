"""Operator networks from stored identifiers: the site_networks view on SQLite and PostgreSQL,
the `networks` command's formats and the export."""

import csv
import io
import json

import pytest
from conftest import syndetect_ok

from db.models import utcnow
from db.networks import networks, record_page_markup
from db.session import connect, session_factory
from db.store import upsert_site

PLATFORM = ("ga", "UA-5555555", "conclusive")  # a widget's tag, on most sites
THEME = ("wp-theme", "newsup", "tertiary")

# site → conclusive identifiers (besides the platform's tag, which every site but src2 has)
SITES = {
    "a1": [("adsense", "ca-pub-1"), ("ga", "UA-1")],
    "a2": [("adsense", "ca-pub-1")],
    "a3": [("ga", "UA-1")],  # joins a1 by GA, and a2 through a1
    "b1": [("gtm", "GTM-B"), ("verify-google", "tokB")],
    "b2": [("gtm", "GTM-B")],
    "solo": [("adsense", "ca-pub-9")],
    "innocent": [("ga", "UA-7")],
    "src": [],
}


def fill(url: str) -> None:
    engine = connect(url)
    with session_factory(engine)() as session:
        for name, ids in SITES.items():
            site = upsert_site(session, name, "source" if name == "src" else "suspect")
            session.flush()
            rows = [(k, v, "conclusive") for k, v in ids] + [THEME]
            if name != "src":
                rows.append(PLATFORM)
            if name in ("a1", "a2"):
                rows.append(("twitter", "@farmops", "associative"))
            if name in ("b1", "innocent"):
                rows.append(("email", "tips@shared.example", "associative"))
            for _ in range(2):  # two pages each
                record_page_markup(session, site.id, rows, {}, utcnow())
        session.commit()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_components_over_conclusive_identifiers_only(db_url):
    fill(db_url)
    engine = connect(db_url)
    with session_factory(engine)() as session:
        groups = networks(session)
    engine.dispose()
    assert [g["sites"] for g in groups] == [["a1", "a2", "a3"], ["b1", "b2"]]
    first, second = groups
    assert first["identifiers"] == [
        {"kind": "adsense", "value": "ca-pub-1", "sites": ["a1", "a2"]},
        {"kind": "ga", "value": "UA-1", "sites": ["a1", "a3"]},
    ]
    # The platform's tag (on 7 of 8 crawled sites) links nothing; nor does the theme, nor an
    # e-mail shared with a site outside the network; one shared inside is supporting evidence.
    assert second["identifiers"] == [{"kind": "gtm", "value": "GTM-B", "sites": ["b1", "b2"]}]
    assert {(s["kind"], s["value"]) for s in first["supporting"]} == {
        ("twitter", "@farmops"),
        ("wp-theme", "newsup"),
    }
    assert all(s["kind"] != "email" for s in second["supporting"])


def test_page_counts_and_seen_times_are_kept(sqlite_url):
    fill(sqlite_url)
    engine = connect(sqlite_url)
    with engine.connect() as conn:
        from sqlalchemy import text

        row = conn.execute(
            text(
                "SELECT i.pages, m.pages, i.tier, i.first_seen <= i.last_seen FROM "
                "site_identifiers i JOIN sites s ON s.id = i.site_id JOIN site_markup m "
                "ON m.site_id = s.id WHERE s.name = 'a1' AND i.value = 'ca-pub-1'"
            )
        ).one()
    engine.dispose()
    assert tuple(row) == (2, 2, "conclusive", 1)


@pytest.mark.slow
def test_networks_command_formats_and_export(sqlite_url, tmp_path):
    fill(sqlite_url)

    def run(*args):
        return syndetect_ok("--db", sqlite_url, *args).stdout

    groups = json.loads(run("networks", "--format", "json"))
    assert [(g["sites"], len(g["identifiers"])) for g in groups] == [
        (["a1", "a2", "a3"], 2),
        (["b1", "b2"], 1),
    ]
    rows = list(csv.DictReader(io.StringIO(run("networks", "--format", "csv"))))
    assert {(r["sites"], r["kind"], r["value"]) for r in rows} == {
        ("a1;a2;a3", "adsense", "ca-pub-1"),
        ("a1;a2;a3", "ga", "UA-1"),
        ("b1;b2", "gtm", "GTM-B"),
    }
    table = run("networks")
    assert "adsense ca-pub-1: a1, a2" in table and "UA-5555555" not in table
    exported = [json.loads(line) for line in run("export", "networks").splitlines()]
    assert {(r["site"], r["network_id"]) for r in exported} == {
        (r["site"], g["network"]) for g in groups for r in exported if r["site"] in g["sites"]
    }
    assert {r["site"] for r in exported} == {"a1", "a2", "a3", "b1", "b2"}


def test_no_networks_says_why(sqlite_url):
    result = syndetect_ok("--db", sqlite_url, "networks")
    assert result.stdout.startswith("No networks: no identifiers recorded yet")


def test_migration_0004_upgrades_a_stored_database_and_downgrades(db_url):
    from alembic import command
    from sqlalchemy import inspect, text

    from db.migrate import alembic_config, upgrade

    engine = connect(db_url, migrate=False)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sites (name, role, created_at) VALUES ('kept', 'suspect', :t)"),
            {"t": utcnow()},
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sites")).scalars().all() == ["kept"]
        assert conn.execute(text("SELECT count(*) FROM site_networks")).scalar_one() == 0
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    tables = set(inspect(engine).get_table_names())
    assert "site_identifiers" not in tables and "sites" in tables
    engine.dispose()
