import json
import subprocess

import pytest
from conftest import syndetect
from sqlalchemy import create_engine, select, text

from crawler.ingest import ingest
from db.models import Article, Site
from db.session import connect, session_factory

GOOD = {
    "url": "https://planet.example/2026/03/harbour?utm_source=x",
    "title": "Harbour works begin",
    "text": "Work on the northern quay of Port Alvern began on Monday, the authority said.",
    "lang": "en",
    "published": "2026-03-02T08:15:00+01:00",
}


def test_bad_lines_are_reported_with_numbers_and_good_ones_kept(tmp_path, sqlite_url):
    path = tmp_path / "a.jsonl"
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "url": "ftp://x.example/"}),
        "",
        json.dumps({**GOOD, "url": "https://planet.example/b", "text": ""}),
        json.dumps({**GOOD, "url": "https://planet.example/c", "published": "yesterday"}),
        json.dumps([1, 2]),
        json.dumps(
            {k: v for k, v in GOOD.items() if k != "lang"} | {"url": "https://planet.example/d"}
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = connect(sqlite_url)
    result = ingest(engine, path, "planet", "source")
    assert result.outcomes == {"new": 2}
    assert [b.split(": ", 1)[0] for b in result.bad_lines] == [
        f"{path}:{n}" for n in (2, 3, 5, 6, 7)
    ]
    assert "key 'published'" in result.bad_lines[3]
    with session_factory(engine)() as session:
        site = session.scalar(select(Site))
        assert (site.name, site.role) == ("planet", "source")
        first = session.scalar(select(Article).where(Article.url.like("%harbour%")))
        assert first.url == "https://planet.example/2026/03/harbour"
        assert first.published.isoformat() == "2026-03-02T07:15:00"
        detected = session.scalar(select(Article).where(Article.url.like("%/d")))
        assert detected.lang == "en" and detected.lang_confidence is not None
    # Ingesting again stores nothing twice.
    again = ingest(engine, path, "planet", "source")
    assert again.outcomes == {"unchanged": 2}


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return syndetect(*args, cwd=cwd)


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def article(n: int, host: str = "planet") -> dict:
    return {**GOOD, "url": f"https://{host}.example/{n}", "text": f"Story number {n}. " * 20}


def sites_of(db: str) -> dict[str, tuple[str, int]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.name, s.role, count(a.id) FROM sites s "
                "LEFT JOIN articles a ON a.site_id = s.id GROUP BY s.name, s.role"
            )
        ).all()
    engine.dispose()
    return {name: (role, count) for name, role, count in rows}


@pytest.mark.slow
def test_ingest_never_takes_over_another_sites_articles_or_role(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    farm = write_jsonl(tmp_path / "farm.jsonl", [article(n, "farm") for n in range(3)])
    assert (
        cli("--db", db, "ingest", farm, "--site", "feed-farm", "--role", "suspect").returncode == 0
    )
    # The same file under another site and role: the role is refused, in one line.
    refused = cli("--db", db, "ingest", farm, "--site", "feed-farm", "--role", "source")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "syndetect: error: site 'feed-farm' is a suspect, not a source: add --set-role to "
        "change its role, or check --site"
    ]
    # Another site: every URL belongs to feed-farm, reported and skipped.
    other = cli("--db", db, "ingest", farm, "--site", "tidewater-courier", "--role", "source")
    assert other.stderr.count("belongs to site 'feed-farm'; skipped (--move moves it)") == 3
    assert sites_of(db) == {"feed-farm": ("suspect", 3), "tidewater-courier": ("source", 0)}
    # Only when asked: --move moves them, --set-role changes a role.
    moved = cli(
        "--db", db, "ingest", farm, "--site", "tidewater-courier", "--role", "source", "--move"
    )
    assert moved.returncode == 0, moved.stderr
    assert sites_of(db)["tidewater-courier"] == ("source", 3)
    changed = cli(
        "--db", db, "ingest", farm, "--site", "tidewater-courier", "--role", "suspect", "--set-role"
    )
    assert changed.returncode == 0 and sites_of(db)["tidewater-courier"] == ("suspect", 3)


@pytest.mark.slow
def test_a_copy_moved_into_its_originals_site_is_never_a_copy_of_itself(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    source = write_jsonl(tmp_path / "s.jsonl", [article(n) for n in range(3)])
    copies = write_jsonl(
        tmp_path / "c.jsonl",
        [{**article(n), "url": f"https://farm.example/{n}"} for n in range(3)],
    )
    assert cli("--db", db, "ingest", source, "--site", "planet", "--role", "source").returncode == 0
    assert cli("--db", db, "ingest", copies, "--site", "farm", "--role", "suspect").returncode == 0
    assert cli("--db", db, "--quiet", "match").returncode == 0
    report = {
        r["site"]: r for r in json.loads(cli("--db", db, "report", "--format", "json").stdout)
    }
    assert report["farm"]["syndicator"] is True
    cli("--db", db, "ingest", copies, "--site", "planet", "--role", "source", "--move")
    cli("--db", db, "--quiet", "match")
    report = {
        r["site"]: r for r in json.loads(cli("--db", db, "report", "--format", "json").stdout)
    }
    assert report["planet"]["copies"] == 0 and report["planet"]["syndicator"] is False
    assert cli("--db", db, "export", "matches").stdout == ""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_one_unstorable_line_is_skipped_alone(tmp_path, sqlite_url, backend, request):
    url = sqlite_url if backend == "sqlite" else request.getfixturevalue("postgres_url")
    path = tmp_path / "a.jsonl"
    good = [json.dumps(article(n)).encode() for n in range(6)]
    lines = [
        good[0],
        good[1],
        b'{"url": "https://planet.example/x", "text": "caf\xe9 au lait"}',  # Latin-1, not UTF-8
        json.dumps({**article(7), "text": "nul \u0000 inside"}).encode(),
        json.dumps({**article(8), "title": "\ud800"}).encode(),
        json.dumps({**article(9), "lang": "french"}).encode(),
        b'{"url": "https://planet.example/y", "text": "tab\there"}',
        *good[2:],
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = ingest(connect(url), path, "planet", "source")
    assert result.outcomes == {"new": 6}
    problems = {int(b.split(":")[1]): b.split(": ", 1)[1] for b in result.bad_lines}
    assert problems == {
        3: "not UTF-8 (invalid continuation byte at column 49)",
        4: "key 'text': contains a NUL character",
        5: "key 'title': contains a lone surrogate (\\ud800-\\udfff)",
        6: "key 'lang': 'french' is not an ISO 639-1 language code (did you mean 'fr'?)",
        7: "invalid JSON: Invalid control character at column 49",
    }


def test_a_failed_ingest_creates_nothing(tmp_path):
    result = cli("ingest", "missing.jsonl", "--site", "x", "--role", "source", cwd=tmp_path)
    assert result.returncode == 2 and "missing.jsonl: file not found" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_waits_for_no_match_it_is_refused_while_one_runs(tmp_path, backend, request):
    from db.lock import exclusive

    url = (
        f"sqlite:///{tmp_path / 'x.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = connect(url)
    path = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    with exclusive(engine, "match"):
        busy = cli("--db", url, "ingest", path, "--site", "planet", "--role", "source")
    assert busy.returncode == 2 and "in use by" in busy.stderr, busy.stderr
    assert sites_of(url) == {}
    assert cli("--db", url, "ingest", path, "--site", "planet", "--role", "source").returncode == 0
    engine.dispose()
