"""Honest runs: a site that could not be seen is never reported clean, and a run stopped by a
signal is recorded as interrupted and finishes on rerun. Real loopback servers (127.0.0.100+),
the real `syndetect` command, real signals."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CLI, CRAWL_TABLE, TEST_CRAWL, syndetect
from sqlalchemy import create_engine, text

from crawler.demo.render import load_content, render_web
from crawler.demo.runner import discovery_of, write_config
from crawler.demo.server import Page, serve

SITES = ("daily-planet", "copycat-wire", "nouvelles-monde")
DEAD = "http://127.0.0.110:8064/"  # nothing listens there


@contextmanager
def demo_web(tmp: Path, extra: str = "", crawl: dict | None = None, first_address: int = 100):
    """Three demo sites served on 127.0.0.100+, and a sites file for them plus `extra`."""
    content = {name: site for name, site in load_content().items() if name in SITES}
    addresses = {name: (f"127.0.0.{first_address + i}", 0) for i, name in enumerate(content)}
    with serve(addresses) as web:
        web.pages.update(render_web(content, web.bases, discovery_of(content)))
        config = write_config(web, content, tmp / "sites.toml", crawl or TEST_CRAWL)
        if extra:
            config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
        yield web, config


def site_entry(name: str, url: str, **keys: object) -> str:
    more = "".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items())
    return f'\n[[site]]\nname = "{name}"\nrole = "suspect"\nstart_urls = ["{url}"]\n{more}'


def report(db: str) -> dict[str, dict]:
    rows = json.loads(syndetect("--db", db, "report", "--format", "json").stdout)
    return {row["site"]: row for row in rows}


def runs(db: str) -> list[tuple[str, str, str | None]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.name, r.status, r.reason FROM crawl_runs r "
                "JOIN sites s ON s.id = r.site_id ORDER BY r.id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.mark.slow
def test_an_unreachable_site_is_not_seen_never_clean(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    with demo_web(tmp_path, site_entry("dead-farm", DEAD)) as (_, config):
        result = syndetect("--db", db, "--quiet", "run", str(config))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    # Alerts are printed even with --quiet (unattended runs rely on them); nothing else is.
    lines = [line for line in result.stderr.splitlines() if not line.startswith("alert: ")]
    assert lines == [
        f"syndetect: site 'dead-farm' not seen: nothing fetched: connection refused ({DEAD})"
    ]
    statuses = {name: (status, reason) for name, status, reason in runs(db)}
    assert statuses["dead-farm"][0] == "failed"
    assert statuses["daily-planet"] == ("finished", None)
    rows = report(db)
    dead = rows["dead-farm"]
    assert dead["crawl_status"] == "failed" and "connection refused" in dead["crawl_reason"]
    assert dead["syndicator"] is None and dead["last_success"] is None
    assert rows["copycat-wire"]["syndicator"] is True
    assert rows["copycat-wire"]["crawl_status"] == "finished"
    assert rows["copycat-wire"]["last_success"]
    # The table says "not seen", not "0 copies, no"; the report prints the reason.
    table = result.stdout
    dead_line = next(line for line in table.splitlines() if line.startswith("dead-farm "))
    assert dead_line.split()[4:6] == ["-", "-"] and dead_line.split()[-2:] == ["not", "seen"]
    assert "dead-farm: failed: nothing fetched: connection refused" in table
    html = syndetect("--db", db, "report", "--format", "html").stdout
    assert "<td>dead-farm</td>" in html and '<td class="unseen">not seen</td>' in html
    csv_out = syndetect("--db", db, "report", "--format", "csv").stdout
    assert csv_out.splitlines()[0].endswith("syndicator,crawl_status,crawl_reason,last_success")


@pytest.mark.slow
def test_every_way_of_seeing_nothing_is_a_failure_with_its_reason(tmp_path):
    """All answers 5xx, robots.txt forbidding all: failed; a reached page budget: partial."""
    db = f"sqlite:///{tmp_path / 'x.db'}"
    broken = {"/": Page(b"down", status=503), "/robots.txt": Page(b"", status=404)}
    closed = {
        "/": Page(b"<html><body><a href='/a'>a</a></body></html>"),
        "/robots.txt": Page(b"User-agent: *\nDisallow: /\n", content_type="text/plain"),
    }
    links = "".join(f"<a href='/p{i}'>p{i}</a>" for i in range(10)).encode()
    large = {"/": Page(b"<html><body>" + links + b"</body></html>")}
    large.update({f"/p{i}": Page(b"<html><body><p>page</p></body></html>") for i in range(10)})
    addresses = {"broken": ("127.0.0.111", 0), "closed": ("127.0.0.112", 0)}
    addresses["large"] = ("127.0.0.113", 0)
    with serve(addresses) as other:
        other.pages.update({"broken": broken, "closed": closed, "large": large})
        extra = site_entry("broken", other.bases["broken"] + "/")
        extra += site_entry("closed", other.bases["closed"] + "/")
        extra += site_entry("large", other.bases["large"] + "/", max_pages=3)
        with demo_web(tmp_path, extra, dict(TEST_CRAWL, RETRY_TIMES=0)) as (_, config):
            result = syndetect("--db", db, "--quiet", "crawl", str(config))
    assert result.returncode == 3, result.stderr
    statuses = {name: (status, reason) for name, status, reason in runs(db)}
    assert statuses["broken"][0] == "failed" and "HTTP 503" in statuses["broken"][1]
    assert statuses["closed"][0] == "failed" and "robots.txt forbids" in statuses["closed"][1]
    assert statuses["large"] == ("partial", "page budget of 3 reached")
    assert statuses["daily-planet"] == ("finished", None)
    assert sorted(line.split("'")[1] for line in result.stderr.strip().splitlines()) == [
        "broken",
        "closed",
    ]


def findings(db: str) -> tuple[set, dict]:
    out = syndetect("--db", db, "export", "matches").stdout
    pairs = {(m["copy_url"], m["original_url"]) for m in map(json.loads, out.splitlines())}
    verdicts = {name: (row["articles"], row["syndicator"]) for name, row in report(db).items()}
    return pairs, verdicts


def integrity(db: str) -> str:
    engine = create_engine(db)
    with engine.connect() as conn:
        result = conn.execute(text("PRAGMA integrity_check")).scalar()
    engine.dispose()
    return result


@pytest.mark.slow
def test_signals_at_random_moments_stop_cleanly_and_a_rerun_finishes_the_same(tmp_path):
    seed = int(os.environ.get("SYNDETECT_SIGNAL_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    with demo_web(tmp_path) as (_, config):
        base = f"sqlite:///{tmp_path / 'base.db'}"
        assert syndetect("--db", base, "--quiet", "run", str(config)).returncode == 0
        expected = findings(base)
        assert expected[0], "the uninterrupted run found the demo's copies"
        # Random moments over the crawl and the match; the last trial signals twice.
        for trial in range(4):
            path = tmp_path / f"trial{trial}.db"
            db = f"sqlite:///{path}"
            signum = rng.choice((signal.SIGINT, signal.SIGTERM))
            delay = rng.uniform(0.0, 6.0)
            twice = trial == 3
            where = f"seed {seed}, trial {trial}: {signal.Signals(signum).name} after {delay:.1f}s"
            process = subprocess.Popen(
                [*CLI, "--db", db, "run", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            # From the moment the command has opened the database (before, the interpreter is
            # still importing and a signal's default action stops it, having written nothing).
            wait_until(path.exists)
            time.sleep(delay)
            process.send_signal(signum)
            if twice:
                time.sleep(0.3)
                process.send_signal(signum)
            sent = time.monotonic()
            out, err = process.communicate(timeout=120)
            if process.returncode != 0:  # 0: the run had finished before the signal
                assert process.returncode == 128 + signum, (where, err[-2000:])
                assert "Traceback" not in err, (where, err[-3000:])
                assert "Syndicators:" not in out, where  # no match, no report after a signal
                if twice:
                    assert time.monotonic() - sent < 5, where
                else:
                    assert "syndetect: interrupted" in err.strip().splitlines()[-1], where
                    # A signal during the first migration leaves no schema: nothing stored.
                    assert "running" not in {status for _, status, _ in runs_or_empty(db)}, where
            assert integrity(db) == "ok", where
            rerun = syndetect("--db", db, "--quiet", "run", str(config))
            assert rerun.returncode == 0, (where, rerun.stderr[-2000:])
            assert findings(db) == expected, where
            statuses = [status for _, status, _ in runs(db)]
            assert "running" not in statuses, where


@pytest.mark.slow
def test_an_interrupted_crawl_is_recorded_as_interrupted(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    slow = {"/": Page(b"<html><body><a href='/a'>a</a></body></html>")}
    slow["/a"] = Page(b"<html><body><p>slow</p></body></html>", delay=8)
    with serve({"slow": ("127.0.0.114", 0)}) as web:
        web.pages["slow"] = slow
        config = tmp_path / "sites.toml"
        config.write_text(
            CRAWL_TABLE + site_entry("slow", web.bases["slow"] + "/"),
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [*CLI, "--db", db, "crawl", str(config)], stderr=subprocess.PIPE, text=True
        )
        wait_until(lambda: runs_or_empty(db))
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err[-2000:]
    assert runs(db) == [("slow", "interrupted", "stopped by a signal before the crawl finished")]
    assert err.strip().splitlines()[-1].startswith("syndetect: interrupted (SIGTERM)")


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def runs_or_empty(db: str) -> list:
    try:
        return runs(db)
    except Exception:  # noqa: BLE001 - the database is not created yet
        return []


@pytest.mark.slow
def test_lost_pages_are_noted_and_a_time_limit_makes_a_crawl_partial(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    links = "".join(f"<a href='/p{i}'>p{i}</a>" for i in range(4)).encode()
    pages = {"/": Page(b"<html><body>" + links + b"</body></html>")}
    pages.update({f"/p{i}": Page(b"<html><body><p>page</p></body></html>") for i in range(3)})
    pages["/p3"] = Page(b"down", status=500)
    slow = {"/": Page(b"<html><body><a href='/s'>s</a></body></html>")}
    slow["/s"] = Page(b"<html><body><p>slow</p></body></html>", delay=8)
    with serve({"lossy": ("127.0.0.117", 0), "slow": ("127.0.0.118", 0)}) as web:
        web.pages.update({"lossy": pages, "slow": slow})
        config = tmp_path / "sites.toml"
        crawl = CRAWL_TABLE + "RETRY_TIMES = 0\n"
        config.write_text(crawl + site_entry("lossy", web.bases["lossy"] + "/"), encoding="utf-8")
        assert syndetect("--db", db, "-q", "crawl", str(config)).returncode == 0
        config.write_text(
            crawl + "CLOSESPIDER_TIMEOUT = 3\n" + site_entry("slow", web.bases["slow"] + "/"),
            encoding="utf-8",
        )
        assert syndetect("--db", db, "-q", "crawl", str(config)).returncode == 0
    assert runs(db) == [
        ("lossy", "finished", "1 page not fetched (HTTP 500)"),
        ("slow", "partial", "crawl stopped early (closespider_timeout)"),
    ]
