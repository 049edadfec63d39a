"""End to end: the bundled demo web served on loopback (each site on its own 127.0.0.x; the
source found through its sitemap, farms through feeds, others through pagination; about,
contact and category pages everywhere), crawled and matched by the real `syndetect run`.

The expected copies come from the content's own `copy_of` fields."""

import json

import pytest
from conftest import TEST_CRAWL, syndetect_ok
from sqlalchemy import create_engine, text

from crawler.demo.render import article_path, load_content
from crawler.demo.runner import discovery_of, write_config
from crawler.demo.server import serve_web


def expected_pairs(content: dict, bases: dict) -> set[tuple[str, str]]:
    urls = {
        f"{name}/{a['slug']}": bases[name] + article_path(a)
        for name, site in content.items()
        for a in site["articles"]
    }
    return {
        (bases[name] + article_path(a), urls[a["copy_of"]])
        for name, site in content.items()
        for a in site["articles"]
        if a.get("copy_of")
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    db = f"sqlite:///{tmp / 'e2e.db'}"
    content = load_content()
    with serve_web(content, discovery_of(content), first_address=20) as web:
        config = write_config(web, content, tmp / "sites.toml", TEST_CRAWL)
        first = syndetect_ok("--db", db, "run", str(config))
        second = syndetect_ok("--db", db, "--quiet", "run", str(config))
        bases = dict(web.bases)
    return content, bases, db, first, second


def exported_matches(db: str) -> list[dict]:
    out = syndetect_ok("--db", db, "export", "matches", "--format", "jsonl").stdout
    return [json.loads(line) for line in out.splitlines()]


def test_exact_copies_and_originals(crawled):
    content, bases, db, _, _ = crawled
    matches = exported_matches(db)
    found = {(m["copy_url"], m["original_url"]) for m in matches}
    assert found == expected_pairs(content, bases)
    for m in matches:
        copy_site = m["copy_site"]
        assert m["original_site"] == "daily-planet"
        assert m["kind"] == (
            "verbatim" if content[copy_site]["language"] == "en" else "translation"
        )
        assert m["copy_lang"] == content[copy_site]["language"]


def test_report_flags_the_syndicators_only(crawled):
    content, _, db, first, _ = crawled
    report = json.loads(syndetect_ok("--db", db, "report", "--format", "json").stdout)
    flagged = {row["site"] for row in report if row["syndicator"]}
    copies_per_site = {
        name: sum(1 for a in site["articles"] if a.get("copy_of")) for name, site in content.items()
    }
    assert flagged == {name for name, n in copies_per_site.items() if n >= 2}
    assert "daily-planet" not in flagged and "el-mirador" not in flagged
    assert "Syndicators:" in first.stdout
    for name in flagged:
        assert name in first.stdout.split("Syndicators:")[1]


def test_only_articles_are_stored_with_their_attribution(crawled):
    content, bases, db, _, _ = crawled
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url, attribution_url, lang FROM articles")).all()
        site_rows = conn.execute(text("SELECT site, articles FROM site_report")).all()
    engine.dispose()
    article_urls = {
        bases[name] + article_path(a) for name, site in content.items() for a in site["articles"]
    }
    assert {r.url for r in rows} == article_urls  # no home, category, about or contact page
    assert dict(site_rows) == {name: len(s["articles"]) for name, s in content.items()}
    sources = {copy: original for copy, original in expected_pairs(content, bases)}
    for row in rows:
        if row.url in sources and content_site_template(content, bases, row.url) == "farm":
            assert row.attribution_url == sources[row.url]


def content_site_template(content: dict, bases: dict, url: str) -> str:
    name = next(n for n, base in bases.items() if url.startswith(base + "/"))
    return content[name]["template"]


def test_second_run_changes_nothing(crawled):
    content, bases, db, _, second = crawled
    engine = create_engine(db)
    with engine.connect() as conn:
        runs = conn.execute(
            text("SELECT articles_new, articles_skipped FROM crawl_runs ORDER BY id")
        ).all()
        count = conn.execute(text("SELECT count(*) FROM copies")).scalar()
        pairs = conn.execute(
            text("SELECT count(*), count(DISTINCT copy_id || '-' || original_id) FROM matches")
        ).one()
    engine.dispose()
    half = len(runs) // 2
    assert sum(r.articles_new for r in runs[half:]) == 0
    # Incremental: stored articles with no sign of change are not even requested again.
    assert sum(r.articles_skipped for r in runs[half:]) == sum(r.articles_new for r in runs[:half])
    assert count == len(expected_pairs(content, bases))
    assert pairs[0] == pairs[1]  # no pair stored twice


@pytest.mark.slow
def test_copy_crawled_before_its_original_is_found_when_the_original_arrives(tmp_path):
    content = load_content()
    db = f"sqlite:///{tmp_path / 'order.db'}"
    farm = "nouvelles-monde"
    with serve_web(content, discovery_of(content), first_address=30) as web:
        config = write_config(web, content, tmp_path / "sites.toml", TEST_CRAWL)
        syndetect_ok("--db", db, "--quiet", "crawl", str(config), "--site", farm)
        syndetect_ok("--db", db, "--quiet", "match")
        assert exported_matches(db) == []
        syndetect_ok("--db", db, "--quiet", "crawl", str(config), "--site", "daily-planet")
        syndetect_ok("--db", db, "--quiet", "match")
        bases = dict(web.bases)
    found = {(m["copy_url"], m["original_url"]) for m in exported_matches(db)}
    expected = {
        pair for pair in expected_pairs(content, bases) if pair[0].startswith(bases[farm] + "/")
    }
    assert expected and found == expected
