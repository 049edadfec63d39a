"""The crawl's progress line says what it counts, in numbers the crawl_runs table holds: pages
fetched, pages extracted (of which articles), and pages unchanged or gone. Demo sites served on
127.0.0.195+."""

import re
import subprocess
import sys

import pytest
from conftest import TEST_CRAWL
from sqlalchemy import create_engine, text

from crawler.demo.render import load_content, render_web
from crawler.demo.runner import discovery_of, write_config
from crawler.demo.server import serve

SITES = ("daily-planet", "copycat-wire")
LINE = re.compile(
    r"crawl: (\d+) pages fetched, (\d+) extracted \((\d+) articles\), "
    r"(\d+) unchanged \(304\) or gone \(404/410\)"
)


@pytest.mark.slow
def test_progress_line_counts_what_crawl_runs_records(tmp_path):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    content = {name: site for name, site in load_content().items() if name in SITES}
    addresses = {name: (f"127.0.0.{195 + i}", 0) for i, name in enumerate(content)}
    with serve(addresses) as web:
        web.pages.update(render_web(content, web.bases, discovery_of(content)))
        config = write_config(web, content, tmp_path / "sites.toml", TEST_CRAWL)
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "--db", db, "crawl", str(config)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    fetched, extracted, articles, kept = map(int, LINE.findall(result.stderr)[-1])
    engine = create_engine(db)
    with engine.connect() as conn:
        runs = conn.execute(
            text("SELECT sum(pages_fetched), sum(non_articles), sum(articles_new) FROM crawl_runs")
        ).one()
        stored = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
    engine.dispose()
    assert (fetched, extracted, articles, kept) == (runs[0], runs[1] + stored, stored, 0)
    assert stored > 0
