"""The scheduler: per-site intervals from the database's crawl_runs, so restarts keep the plan."""

import math
import signal
import sqlite3
import subprocess
import time
from datetime import timedelta

import pytest
from conftest import CLI, CRAWL_TABLE

from crawler.config import SiteConfig
from crawler.demo.render import Page
from crawler.demo.server import serve
from crawler.schedule import JITTER, jitter

ARTICLE = (
    "<html><head><meta property='og:type' content='article'><title>T</title></head><body>"
    "<article><h1>Harbour</h1>"
    + "<p>The council of Alvern approved the harbour tunnel on Monday after a debate that "
    "lasted eleven hours, engineer Dagny Solheim said, adding that 1,250 workers would be "
    "hired and the first trains would run in 2029 if the budget holds.</p>"
    * 3
    + "</article></body></html>"
).encode()


def runs_per_site(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT s.name, count(r.id) FROM sites s LEFT JOIN crawl_runs r ON r.site_id = s.id "
            "GROUP BY s.name"
        ).fetchall()
    return dict(rows)


@pytest.mark.slow
def test_sites_are_crawled_on_their_own_intervals_across_restarts(tmp_path):
    with serve({"fast": ("127.0.0.80", 0), "slow": ("127.0.0.81", 0)}) as web:
        for name in ("fast", "slow"):
            web.pages[name] = {"/": Page(b'<a href="/a">a</a>'), "/a": Page(ARTICLE)}
        config = tmp_path / "sites.toml"

        fast, slow = web.bases["fast"], web.bases["slow"]

        def plan(fast_seconds: int) -> None:
            config.write_text(
                CRAWL_TABLE + 'schedule = "1h"\n'
                f'[[site]]\nname = "fast"\nrole = "source"\nstart_urls = ["{fast}/"]\n'
                f'schedule = "{fast_seconds}s"\n'
                f'[[site]]\nname = "slow"\nrole = "suspect"\nstart_urls = ["{slow}/"]\n'
            )

        plan(40)
        db = tmp_path / "s.db"

        def once() -> subprocess.CompletedProcess:
            # Every call is a new process: the plan survives restarts because it is in the DB.
            return subprocess.run(
                [*CLI, "--db", f"sqlite:///{db}", "schedule", str(config), "--once"],
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )

        started = time.monotonic()
        first = once()
        assert runs_per_site(db) == {"fast": 1, "slow": 1}
        assert "schedule: crawling 'fast'" in first.stderr
        # The plan is read from the file at every call. 40 s leaves room for the next call on a
        # loaded machine; where the first call (two crawls and a match) took over a third of
        # that, a longer interval keeps "not due yet" testable.
        interval = max(40, math.ceil(3 * (time.monotonic() - started)))
        plan(interval)
        idle = once()
        assert "schedule: next crawl 'fast' in " in idle.stderr, idle.stderr  # says what is next
        assert time.monotonic() - started < interval, "too slow to test 'not due yet'"
        assert runs_per_site(db) == {"fast": 1, "slow": 1}, "nothing is due yet"
        # The plan counts from the crawl's recorded start, a process start-up after `started`.
        time.sleep(max(0.0, started + interval * (1 + JITTER) + 5 - time.monotonic()))
        once()
        assert runs_per_site(db) == {"fast": 2, "slow": 1}
    with sqlite3.connect(db) as conn:
        statuses = {row[0] for row in conn.execute("SELECT status FROM crawl_runs")}
        matched = conn.execute("SELECT count(*) FROM articles WHERE matched_version IS NULL")
        assert statuses == {"finished"} and matched.fetchone()[0] == 0


@pytest.mark.slow
def test_a_signal_stops_the_schedule_and_its_running_crawl_cleanly(tmp_path):
    slow_article = Page(ARTICLE, delay=8)
    with serve({"slowpoke": ("127.0.0.115", 0)}) as web:
        web.pages["slowpoke"] = {"/": Page(b'<a href="/a">a</a>'), "/a": slow_article}
        config = tmp_path / "sites.toml"
        config.write_text(
            CRAWL_TABLE + f'[[site]]\nname = "slowpoke"\nrole = "source"\n'
            f'start_urls = ["{web.bases["slowpoke"]}/"]\n'
        )
        db = tmp_path / "s.db"
        scheduler = subprocess.Popen(
            [*CLI, "--db", f"sqlite:///{db}", "schedule", str(config)],
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not _crawling(db):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(1.0)
        scheduler.send_signal(signal.SIGINT)
        _, err = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT status FROM crawl_runs")] == ["interrupted"]


def _crawling(db) -> bool:
    try:
        return db.exists() and bool(runs_per_site(db).get("slowpoke"))
    except sqlite3.OperationalError:  # not migrated yet
        return False


def test_jitter_is_bounded_and_stable():
    site = SiteConfig(
        name="a", role="source", start_urls=("http://a.example/",), schedule=timedelta(hours=6)
    )
    values = {jitter(site, run) for run in range(50)}
    assert all(timedelta(0) <= v <= site.schedule * JITTER for v in values)
    assert len(values) > 40 and jitter(site, 7) == jitter(site, 7)
