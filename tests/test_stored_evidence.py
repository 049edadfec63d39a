"""The evidence `match` stores: spans of the two stored texts instead of their sentences, read
back as the documented passages; evidence written before (passages as text) reads as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from test_matching import write_jsonl

from crawler.browse import CANNED_QUERIES
from crawler.evidence import match_html
from crawler.ingest import ingest
from crawler.matching import run_matching
from db.evidence import evidence_of
from db.models import Article, Match
from db.session import connect, session_factory
from dedup.segment import sentences


def _matched(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    ingest(engine, write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en"]), "planet", "source")
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_de"]), "farm", "suspect")
    run_matching(engine, progress=None)
    return engine


def _texts(session, match: Match) -> tuple[str, str]:
    return session.get(Article, match.original_id).text, session.get(Article, match.copy_id).text


def test_passages_are_stored_as_spans_and_read_as_the_aligned_sentences(tmp_path, sqlite_url):
    engine = _matched(tmp_path, sqlite_url)
    with session_factory(engine)() as session:
        match = session.scalars(select(Match)).one()
        original, copy = _texts(session, match)
        stored = json.dumps(match.evidence, ensure_ascii=False)
        shown = evidence_of(session, [match.id])[match.id]
        page = match_html(session, match.id)
    passages = shown["passages"]
    assert len(passages) >= 3 and "spans" not in shown and "spans_crc32" not in shown
    assert shown["anchors"] == match.evidence["anchors"]
    # Each side a whole sentence of its own text, in the text's order.
    for side, stored_text in ((0, original), (1, copy)):
        split = sentences(stored_text)
        positions = [split.index(pair[side]) for pair in passages]
        assert positions == sorted(positions)
    assert not any(pair[0] in stored or pair[1] in stored for pair in passages)
    assert len(stored.encode()) < 400
    assert all(f"<td>{pair[0]}</td>" in page for pair in passages if "&" not in pair[0])


def test_a_text_changed_since_the_match_shows_no_passage(tmp_path, sqlite_url):
    engine = _matched(tmp_path, sqlite_url)
    with session_factory(engine)() as session:
        match = session.scalars(select(Match)).one()
        original, _ = _texts(session, match)
        # A crawl stored a new text; `match` has not verified the pair again yet.
        session.execute(
            update(Article)
            .where(Article.id == match.original_id)
            .values(text="Edited. " + original)
        )
        shown = evidence_of(session, [match.id])[match.id]
    assert shown["passages"] == [] and shown["anchors"]


def test_evidence_stored_before_spans_reads_as_it_was(tmp_path, sqlite_url):
    engine = _matched(tmp_path, sqlite_url)
    older = {"anchors": ["Hafen"], "passages": [["An original sentence.", "Ein Satz."]]}
    with session_factory(engine)() as session:
        match = session.scalars(select(Match)).one()
        match.evidence = older
        session.commit()
        assert evidence_of(session, [match.id]) == {match.id: older}
        assert "<td>Ein Satz.</td>" in match_html(session, match.id)
        # Datasette's canned query reads both forms too.
        canned = text(CANNED_QUERIES["passages_of_match"]["sql"])
        rows = session.execute(canned, {"match": match.id}).all()
    assert [[original, copy] for _, original, copy in rows] == older["passages"]


def _documented_query(dialect: str) -> str:
    """docs/schema.md's query that cuts one match's passages, for SQLite or PostgreSQL."""
    schema = (Path(__file__).parents[1] / "docs" / "schema.md").read_text("utf-8")
    start = (
        "SELECT substr(o.text, json_extract" if dialect == "sqlite" else "SELECT substr(o.text, (p"
    )
    query = schema[schema.index(start) :]
    return query[: query.index(";")]


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_the_documented_sql_cuts_the_same_passages(tmp_path, request, database):
    engine = _matched(tmp_path, request.getfixturevalue(database))
    with session_factory(engine)() as session:
        match_id = session.scalars(select(Match.id)).one()
        passages = evidence_of(session, [match_id])[match_id]["passages"]
        query = _documented_query(engine.dialect.name).replace("m.id = 1", "m.id = :match")
        rows = session.execute(text(query), {"match": match_id}).all()
    assert passages and [list(row) for row in rows] == passages
