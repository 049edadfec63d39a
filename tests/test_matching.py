"""The `match` step across runs: what one run leaves in the database is what the next run's
candidate index is loaded from (its snapshot file, signature rows where there is none, or
signatures computed from the fingerprints)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text

from crawler import match_workers
from crawler.index_cache import read_snapshot, snapshot_path
from crawler.ingest import ingest
from crawler.match_workers import MatchWorkers, signature_bytes
from crawler.matching import run_matching
from db.migrate import upgrade
from db.models import Article, Match
from db.session import connect, session_factory
from db.store import signature_batches
from dedup import FINGERPRINT_VERSION, CandidateIndex, Fingerprint
from dedup.index import split_signatures

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


@pytest.mark.slow
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


def match(engine) -> None:
    """A `match` run as the CLI makes it: the index snapshot beside the SQLite database."""
    run_matching(engine, progress=None, snapshot=snapshot_path(engine, None))


def ferry_matched(tmp_path: Path, url: str):
    """A database whose one source article has been through `match` (a snapshot written)."""
    engine = connect(url)
    ingest(engine, write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en"]), "planet", "source")
    match(engine)
    return engine


def test_index_snapshot_is_written_and_reused(tmp_path, sqlite_url):
    engine = ferry_matched(tmp_path, sqlite_url)
    snapshot = snapshot_path(engine, None)
    assert snapshot == tmp_path / "test.db.index" and snapshot.exists()
    # An article too short to fingerprint is matched too, and has no place in the index.
    ingest(
        engine,
        write_story(tmp_path / "t.jsonl", "planet", "brief", "Too short."),
        "planet",
        "source",
    )
    match(engine)
    written = snapshot.stat().st_mtime_ns
    match(engine)  # nothing new: the snapshot already is the index
    assert snapshot.stat().st_mtime_ns == written
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_ru"]), "farm", "suspect")
    match(engine)
    assert pairs(engine) == {("https://farm.example/ferry_ru", "https://planet.example/ferry_en")}
    assert snapshot.stat().st_mtime_ns != written
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(signatures), count(data) FROM fingerprints")).one()
    assert tuple(stored) == (0, 2)  # the snapshot holds the index: no signatures stored
    assert snapshot_path(engine, False) is None
    assert snapshot_path(connect("sqlite://"), None) is None


# A story of its own (no name or number in common with the fixtures), copied verbatim below.
GLACIER = (
    "Researchers from the Aysen Institute measured the retreat of the Tyndall glacier in "
    "Patagonia for the ninth year in a row. The front moved back 317 metres since March, "
    "said the expedition leader, Renata Quilodran, who camped on the ice for 46 days with "
    "four students. The team drilled 12 boreholes and left 3 weather stations that send "
    "readings by satellite every hour. Quilodran said the melt water now fills a lake that "
    "did not exist in 1998, and that sheep farmers downstream had asked the regional "
    "government of Magallanes for new bridges before the next spring floods."
)


def write_story(path: Path, site: str, slug: str, text: str) -> Path:
    row = {"url": f"https://{site}.example/{slug}", "title": "", "text": text, "lang": "en"}
    path.write_text(json.dumps(row) + "\n")
    return path


def test_changed_article_is_indexed_under_its_new_text(tmp_path, sqlite_url):
    engine = ferry_matched(tmp_path, sqlite_url)
    # The same URL now carries another story: the snapshot holds its old signatures.
    ingest(
        engine,
        write_story(tmp_path / "s2.jsonl", "planet", "ferry_en", GLACIER),
        "planet",
        "source",
    )
    match(engine)
    index = CandidateIndex.from_snapshot(read_snapshot(snapshot_path(engine, None)))
    with session_factory(engine)() as session:
        [(article_id, signatures, data)] = next(signature_batches(session, FINGERPRINT_VERSION, 10))
    assert signatures is None  # not stored beside a snapshot: computed from the fingerprint
    signatures = signature_bytes(Fingerprint.from_bytes(data))
    rows = split_signatures(np.frombuffer(signatures, dtype="<u4")[None, :])
    assert index.holds(str(article_id), **{name: row[0] for name, row in rows.items()})
    ingest(engine, write_story(tmp_path / "f.jsonl", "farm", "copy", GLACIER), "farm", "suspect")
    match(engine)
    assert pairs(engine) == {("https://farm.example/copy", "https://planet.example/ferry_en")}


def test_snapshot_of_another_database_is_not_used(tmp_path, sqlite_url):
    engine = ferry_matched(tmp_path, sqlite_url)
    engine.dispose()
    Path(sqlite_url.removeprefix("sqlite:///")).unlink()
    # A new database at the same path, whose article 1 is another story, matched without the
    # snapshot: article 1 is in both, under different signatures.
    engine = connect(sqlite_url)
    ingest(
        engine, write_story(tmp_path / "t.jsonl", "planet", "glacier", GLACIER), "planet", "source"
    )
    run_matching(engine, progress=None)
    ingest(engine, write_story(tmp_path / "f.jsonl", "farm", "copy", GLACIER), "farm", "suspect")
    match(engine)
    assert pairs(engine) == {("https://farm.example/copy", "https://planet.example/glacier")}


def test_unreadable_snapshot_is_rebuilt(tmp_path, sqlite_url):
    engine = ferry_matched(tmp_path, sqlite_url)
    snapshot = snapshot_path(engine, None)
    snapshot.write_bytes(b"not a snapshot")
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_de"]), "farm", "suspect")
    match(engine)
    assert pairs(engine) == {("https://farm.example/ferry_de", "https://planet.example/ferry_en")}
    assert read_snapshot(snapshot)["keys"].tolist() == ["1", "2"]  # written again


def test_index_snapshot_with_postgresql(tmp_path, postgres_url):
    """A server database has no default place for the snapshot: `[index] snapshot` names one
    (its directory is made if missing)."""
    engine = connect(postgres_url)
    assert snapshot_path(engine, None) is None
    snapshot = tmp_path / "state" / "index"
    ingest(engine, write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en"]), "planet", "source")
    run_matching(engine, progress=None, snapshot=snapshot)
    ingest(
        engine, write_story(tmp_path / "g.jsonl", "planet", "glacier", GLACIER), "planet", "source"
    )
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_ru"]), "farm", "suspect")
    run_matching(engine, progress=None, snapshot=snapshot)
    assert pairs(engine) == {("https://farm.example/ferry_ru", "https://planet.example/ferry_en")}
    assert sorted(read_snapshot(snapshot)["keys"].tolist()) == ["1", "2", "3"]
    engine.dispose()


def _site_pass_world(tmp_path, engine, source: list[str], copies: list[str]) -> None:
    ingest(engine, write_jsonl(tmp_path / "s.jsonl", "planet", source), "planet", "source")
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", copies), "farm", "suspect")


def _evidence(engine, copy_url: str) -> dict:
    with session_factory(engine)() as session:
        copy_id = session.scalar(select(Article.id).where(Article.url == copy_url))
        return session.scalar(select(Match.evidence).where(Match.copy_id == copy_id))


def _linked_world(tmp_path, sqlite_url):
    """Two sites linked by two translations with anchors, and a third one without."""
    engine = connect(sqlite_url)
    _site_pass_world(
        tmp_path,
        engine,
        ["ferry_en", "audit_en", "garden_en", "bread_en"],
        ["ferry_de", "audit_ru", "garden_fr"],
    )
    return engine


@pytest.mark.parametrize("workers", [1, 2])  # 2: the site pass's comparisons on the workers
def test_a_site_that_keeps_copying_has_its_anchorless_copies_found(
    tmp_path, sqlite_url, workers, monkeypatch
):
    monkeypatch.setattr(match_workers, "WORKERS", workers)
    monkeypatch.setattr(match_workers, "POOL_MIN_ARTICLES", 0)
    engine = _linked_world(tmp_path, sqlite_url)
    run_matching(engine, progress=None)
    assert ("https://farm.example/garden_fr", "https://planet.example/garden_en") in pairs(engine)
    assert len(pairs(engine)) == 3
    evidence = _evidence(engine, "https://farm.example/garden_fr")
    assert evidence["site_matches"] == 2 and evidence["rhythm"] >= 5
    assert evidence["spans"] == []


def test_one_match_links_two_sites_under_a_higher_bar(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    _site_pass_world(
        tmp_path, engine, ["garden_en", "bread_en", "ferry_en"], ["garden_fr", "ferry_de"]
    )
    run_matching(engine, progress=None)
    assert ("https://farm.example/garden_fr", "https://planet.example/garden_en") in pairs(engine)
    assert _evidence(engine, "https://farm.example/garden_fr")["site_matches"] == 1


def test_a_site_nothing_links_is_not_searched(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    _site_pass_world(tmp_path, engine, ["garden_en", "bread_en"], ["garden_fr"])
    run_matching(engine, progress=None)
    assert pairs(engine) == set()


def test_an_article_matched_with_a_third_site_is_still_searched(tmp_path, sqlite_url):
    engine = _linked_world(tmp_path, sqlite_url)
    # The farm's garden column is also on a blog, word for word: the two match verbatim.
    ingest(engine, write_jsonl(tmp_path / "b.jsonl", "blog", ["garden_fr"]), "blog", "suspect")
    run_matching(engine, progress=None)
    found = pairs(engine)
    assert ("https://farm.example/garden_fr", "https://planet.example/garden_en") in found
    assert {"https://blog.example/garden_fr", "https://farm.example/garden_fr"} in [
        set(pair) for pair in found
    ]


def test_an_original_arriving_later_meets_the_copy_a_linked_site_kept(tmp_path, sqlite_url):
    engine = connect(sqlite_url)
    _site_pass_world(
        tmp_path,
        engine,
        ["ferry_en", "audit_en", "bread_en"],
        ["ferry_de", "audit_ru", "garden_fr"],
    )
    run_matching(engine, progress=None)
    assert len(pairs(engine)) == 2
    ingest(engine, write_jsonl(tmp_path / "s2.jsonl", "planet", ["garden_en"]), "planet", "source")
    run_matching(engine, progress=None)
    assert ("https://farm.example/garden_fr", "https://planet.example/garden_en") in pairs(engine)


def test_the_pass_through_sites_can_be_switched_off(tmp_path, sqlite_url):
    engine = _linked_world(tmp_path, sqlite_url)
    run_matching(engine, progress=None, through_sites=False)
    assert len(pairs(engine)) == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_pair_whose_text_changed_is_verified_again_and_withdrawn_if_gone(
    tmp_path, request, backend
):
    # Issue 23, item 8: a copy whose text is swapped for another story loses its old pair and
    # gains the new one; a copy edited a little keeps its pair and its first detection time.
    engine = connect(
        request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    )
    ingest(
        engine,
        write_jsonl(tmp_path / "s.jsonl", "planet", ["ferry_en", "audit_en"]),
        "planet",
        "source",
    )
    farm = [
        {
            "url": "https://farm.example/1",
            "text": FIXTURES.joinpath("ferry_de.txt").read_text("utf-8"),
            "lang": "de",
        },
        {
            "url": "https://farm.example/2",
            "text": FIXTURES.joinpath("audit_ru.txt").read_text("utf-8"),
            "lang": "ru",
        },
    ]

    def ingest_farm(rows: list[dict]) -> None:
        path = tmp_path / "f.jsonl"
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        ingest(engine, path, "farm", "suspect")

    def detected() -> dict[tuple[str, str], object]:
        with session_factory(engine)() as session:
            urls = dict(session.execute(select(Article.id, Article.url)).all())
            return {
                (urls[c], urls[o]): at
                for c, o, at in session.execute(
                    select(Match.copy_id, Match.original_id, Match.detected_at)
                )
            }

    ingest_farm(farm)
    run_matching(engine, progress=None)
    before = detected()
    assert set(before) == {
        ("https://farm.example/1", "https://planet.example/ferry_en"),
        ("https://farm.example/2", "https://planet.example/audit_en"),
    }
    swapped = {
        **farm[0],
        "text": FIXTURES.joinpath("audit_ru.txt").read_text("utf-8"),
        "lang": "ru",
    }
    edited = {**farm[1], "text": farm[1]["text"] + "\n\nОбновлено: добавлена поправка."}
    ingest_farm([swapped, edited])
    stats = run_matching(engine, progress=None)
    after = detected()
    assert set(after) == {
        ("https://farm.example/1", "https://planet.example/audit_en"),
        ("https://farm.example/2", "https://planet.example/audit_en"),
    }, after
    assert stats.withdrawn == 1 and stats.new_matches == 1
    kept = ("https://farm.example/2", "https://planet.example/audit_en")
    assert after[kept] == before[kept]
    # Nothing changed: the next run withdraws nothing and finds nothing new.
    again = run_matching(engine, progress=None)
    assert (again.withdrawn, again.new_matches) == (0, 0) and detected() == after
    engine.dispose()


def test_pair_left_by_a_match_that_overlapped_an_ingest_is_withdrawn_next_run(tmp_path, sqlite_url):
    # The state a `match` overlapping an `ingest` leaves (issue 23, item 8): a pair verified
    # from the copy's old text, and the copy, changed meanwhile, still waiting.
    engine = connect(sqlite_url)
    _site_pass_world(tmp_path, engine, ["ferry_en", "audit_en"], ["ferry_de"])
    run_matching(engine, progress=None)
    with engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT url, id FROM articles")).all())
        conn.execute(
            text(
                "INSERT INTO matches (copy_id, original_id, score, kind, evidence, attributed, "
                "detected_at) VALUES (:c, :o, 0.9, 'translation', '{}', 0, CURRENT_TIMESTAMP)"
            ),
            {
                "c": ids["https://farm.example/ferry_de"],
                "o": ids["https://planet.example/audit_en"],
            },
        )
        conn.execute(text("UPDATE articles SET matched_version = NULL WHERE url LIKE '%farm%'"))
    stats = run_matching(engine, progress=None)
    assert pairs(engine) == {("https://farm.example/ferry_de", "https://planet.example/ferry_en")}
    assert stats.withdrawn == 1 and stats.new_matches == 0


def test_candidates_on_the_articles_own_site_are_not_verified(tmp_path, sqlite_url, monkeypatch):
    # A site's own translation of its article is a candidate, but a pair within one site is
    # never recorded: the workers are not asked to verify it.
    engine = connect(sqlite_url)
    own = write_jsonl(tmp_path / "p.jsonl", "planet", ["ferry_en", "ferry_de", "audit_en"])
    ingest(engine, own, "planet", "source")
    ingest(engine, write_jsonl(tmp_path / "f.jsonl", "farm", ["ferry_es"]), "farm", "suspect")
    asked: list[tuple[str, list[str]]] = []
    verify = MatchWorkers.verify

    def recording(self, units):
        asked.extend(units)
        return verify(self, units)

    monkeypatch.setattr(MatchWorkers, "verify", recording)
    run_matching(engine, progress=None, through_sites=False)
    with session_factory(engine)() as session:
        site = dict(session.execute(select(Article.id, Article.site_id)).all())
    assert any(candidates for _, candidates in asked)  # the farm's copy met its originals
    for key, candidates in asked:
        assert all(site[int(other)] != site[int(key)] for other in candidates)
    assert pairs(engine) == {
        ("https://farm.example/ferry_es", "https://planet.example/ferry_en"),
        ("https://farm.example/ferry_es", "https://planet.example/ferry_de"),
    }
