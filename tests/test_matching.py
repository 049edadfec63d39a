"""The `match` step across runs: what one run leaves in the database is what the next run's
candidate index is loaded from (signature rows, or whole fingerprints for rows written before
migration 0002)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from crawler import match_workers
from crawler.ingest import ingest
from crawler.match_workers import MatchWorkers
from crawler.matching import run_matching
from db.migrate import upgrade
from db.models import Article, Match
from db.session import connect, session_factory

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def write_jsonl(path: Path, site: str, names: list[str]) -> Path:
    rows = [
        {
            "url": f"https://{site}.example/{name}",
            "title": "",
            "text": FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"),
            "lang": name[-2:],
        }
        for name in names
    ]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def pairs(engine) -> set[tuple[str, str]]:
    with session_factory(engine)() as session:
        matches = session.scalars(select(Match)).all()
        urls = {
            article_id: url for article_id, url in session.execute(select(Article.id, Article.url))
        }
    return {(urls[m.copy_id], urls[m.original_id]) for m in matches}


def test_later_run_finds_copies_of_articles_matched_earlier(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    ingest(
        engine,
        write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en", "audit_en"]),
        "planet",
        "source",
    )
    run_matching(engine, progress=None)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(signatures) FROM fingerprints")).scalar()
    assert stored == 2  # the next run loads its index from these rows
    ingest(
        engine,
        write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_de", "audit_ru"]),
        "farm",
        "suspect",
    )
    stats = run_matching(engine, progress=None)
    assert stats.matched == 2
    assert pairs(engine) == {
        ("https://farm.example/ferry_de", "https://planet.example/ferry_en"),
        ("https://farm.example/audit_ru", "https://planet.example/audit_en"),
    }


def test_rows_without_signatures_are_loaded_from_the_fingerprint(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    ingest(engine, write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en"]), "planet", "source")
    run_matching(engine, progress=None)
    with engine.begin() as conn:
        # As written before migration 0002.
        conn.execute(text("UPDATE fingerprints SET signatures = NULL"))
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_ru"]), "farm", "suspect")
    run_matching(engine, progress=None)
    assert pairs(engine) == {("https://farm.example/ferry_ru", "https://planet.example/ferry_en")}


def test_database_at_revision_0001_is_upgraded_in_place(sqlite_url):
    engine = connect(sqlite_url, migrate=False)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sites (id, name, role, created_at) "
                "VALUES (1, 'planet', 'source', '2026-01-01')"
            )
        )
    engine.dispose()
    engine = connect(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sites")).scalars().all() == ["planet"]
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(fingerprints)"))}
    assert "signatures" in columns


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_and_this_process_find_the_same_matches(tmp_path, workers, monkeypatch):
    monkeypatch.setattr(match_workers, "WORKERS", workers)
    monkeypatch.setattr(match_workers, "POOL_MIN_ARTICLES", 0)
    engine = connect(f"sqlite:///{tmp_path / 'w.db'}")
    ingest(
        engine,
        write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en", "audit_en"]),
        "planet",
        "source",
    )
    ingest(
        engine,
        write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_ja", "audit_ru"]),
        "farm",
        "suspect",
    )
    with session_factory(engine)() as session, MatchWorkers(engine, session, 4) as pool:
        assert (pool._executor is not None) == (workers > 1)
    run_matching(engine, progress=None)
    assert pairs(engine) == {
        ("https://farm.example/ferry_ja", "https://planet.example/ferry_en"),
        ("https://farm.example/audit_ru", "https://planet.example/audit_en"),
    }
