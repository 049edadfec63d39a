"""Datasette metadata: the canned queries run, through Datasette itself, on a real database."""

import asyncio
import subprocess
import sys

import pytest
from conftest import CLI, demo_jsonl, syndetect_ok
from sqlalchemy import func, select

from crawler.browse import CANNED_QUERIES, metadata
from db.evidence import evidence_of
from db.models import Match
from db.session import connect, session_factory


@pytest.mark.slow
def test_canned_queries_run_in_datasette(tmp_path):
    from datasette.app import Datasette

    db = tmp_path / "browse.db"
    for name, role in (("daily-planet", "source"), ("noticias-hoy", "suspect")):
        path = demo_jsonl(tmp_path, name)
        subprocess.run(
            [
                *CLI,
                "--db",
                f"sqlite:///{db}",
                "-q",
                "ingest",
                str(path),
                "--site",
                name,
                "--role",
                role,
            ],
            check=True,
            timeout=120,
        )
    syndetect_ok("--db", f"sqlite:///{db}", "-q", "match")
    original = "https://daily-planet.example/northwick-rovers-sold"
    engine = connect(f"sqlite:///{db}", create=False)
    with session_factory(engine)() as session:
        match_id = session.scalar(select(func.min(Match.id)))
        passages = evidence_of(session, [match_id])[match_id]["passages"]
    engine.dispose()

    async def run_all() -> dict[str, list]:
        ds = Datasette([str(db)], metadata=metadata(db.stem))
        results = {}
        for name in CANNED_QUERIES:
            query = f"_shape=array&url={original}&match={match_id}"
            response = await ds.client.get(f"/{db.stem}/{name}.json?{query}")
            assert response.status_code == 200, (name, response.text[:500])
            results[name] = response.json()
        page = await ds.client.get(f"/{db.stem}/site_report")
        assert "Per site: articles, copies" in page.text
        return results

    results = asyncio.run(run_all())
    assert [r["site"] for r in results["top_syndicators"]] == ["noticias-hoy"]
    assert [r["copy_site"] for r in results["copies_of_url"]] == ["noticias-hoy"]
    assert results["new_syndicators_this_week"][0]["site"] == "noticias-hoy"
    assert passages and [[r["original"], r["copy"]] for r in results["passages_of_match"]] == (
        passages
    )
    assert {(r["original_lang"], r["copy_lang"]) for r in results["matches_by_language_pair"]} == {
        ("en", "es")
    }


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_browse_stops_its_server_when_killed_and_names_a_taken_port(tmp_path):
    import os
    import signal
    import socket
    import time
    import urllib.request

    db = f"sqlite:///{tmp_path / 'b.db'}"
    path = demo_jsonl(tmp_path, "daily-planet")
    syndetect_ok("--db", db, "-q", "ingest", str(path), "--site", "p", "--role", "source")
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    port = _free_port()
    browse = subprocess.Popen(
        [*CLI, "--db", db, "browse", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline and browse.poll() is None
            time.sleep(0.2)
    servers = _children(browse.pid)
    assert servers
    browse.send_signal(signal.SIGTERM)
    assert browse.wait(timeout=30) == 0
    time.sleep(0.5)
    assert not [pid for pid in servers if os.path.exists(f"/proc/{pid}")]
    with socket.socket() as holder:
        # The closed server's connections may linger in TIME_WAIT on the port; SO_REUSEADDR
        # binds past them, but not past a listener the stopped command left behind.
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))
        holder.listen()
        taken = subprocess.run(
            [*CLI, "--db", db, "browse", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert taken.returncode == 2
    assert taken.stderr.strip().splitlines() == [
        f"syndetect: error: port {port} on 127.0.0.1 is in use (Address already in use): "
        "choose another with --port"
    ]
