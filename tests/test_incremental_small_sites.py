"""A second crawl of thirty small sites (bench/smallweb.py) served on loopback: requests are
counted from the servers' access log, not from the crawler's own counters."""

import sys
from pathlib import Path

import pytest
from conftest import syndetect_ok
from sqlalchemy import create_engine, text

# Appended, not put first: bench/incremental.py would shadow the `incremental` package Twisted
# imports.
sys.path.append(str(Path(__file__).resolve().parents[1] / "bench"))
from smallweb import serve_logged, small_web, write_config  # noqa: E402


def crawl(config: Path, db: str) -> None:
    syndetect_ok("--db", db, "--quiet", "crawl", str(config), timeout=600)


def stored(db: str) -> set[str]:
    engine = create_engine(db)
    with engine.connect() as conn:
        urls = set(conn.execute(text("SELECT url FROM articles")).scalars())
    engine.dispose()
    return urls


@pytest.mark.slow
def test_second_crawl_of_small_sites_asks_little_and_finds_new_articles(tmp_path):
    sites = small_web(30)
    db = f"sqlite:///{tmp_path / 'small.db'}"
    with serve_logged(sites, 1, tmp_path / "access.log") as web:
        config = write_config(tmp_path / "small.toml", sites, web.bases)
        crawl(config, db)
        first = web.requests()
        before = stored(db)
        crawl(config, db)
        second = web.requests() - first
        # One new article on two sites; six on a third, enough to push older ones a listing
        # page further down.
        added = []
        for site, count in ((sites[3], 1), (sites[17], 1), (sites[8], 6)):
            added += [web.bases[site.name] + site.add_article() for _ in range(count)]
            web.pages[site.name] = site.pages()
        crawl(config, db)
        third = web.requests() - first - second
    assert len(before) == sum(len(site.articles) for site in sites) - len(added)
    assert second <= 0.1 * first, (first, second)
    after = stored(db)
    assert before <= after and set(added) <= after
    assert third <= second + 3 * len(added), (second, third)
