"""A Scrapyd deployment from scrapy.cfg: build the egg with scrapyd-client, deploy it to a real
Scrapyd on loopback, schedule the `sites` spider, and find its articles in the database."""

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import REPO, TEST_CRAWL

from crawler.demo.render import load_content
from crawler.demo.runner import discovery_of, write_config
from crawler.demo.server import serve_web

BIN = Path(sys.executable).parent
ADDRESS = "127.0.0.118"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((ADDRESS, 0))
        return probe.getsockname()[1]


def call(url: str, fields: dict | None = None, egg: Path | None = None) -> dict:
    if egg is not None:
        with egg.open("rb") as handle:
            return requests.post(url, data=fields, files={"egg": handle}, timeout=60).json()
    if fields:
        return requests.post(url, data=fields, timeout=30).json()
    return requests.get(url, timeout=30).json()


@pytest.mark.slow
def test_deploy_and_run_the_spider_on_scrapyd(tmp_path):
    if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
        pytest.skip("scrapyd and scrapyd-client are in the [test] extra")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("crawler", "db", "dedup"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "scrapy.cfg", "README.md"):
        shutil.copy(REPO / name, project / name)
    egg = tmp_path / "syndetect.egg"
    subprocess.run(
        [BIN / "scrapyd-deploy", "--build-egg", str(egg)],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=300,
    )

    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = {ADDRESS}\nhttp_port = {port}\neggs_dir = {home}/eggs\n"
        f"logs_dir = {home}/logs\ndbs_dir = {home}/dbs\nitems_dir =\npoll_interval = 0.5\n"
    )
    daemon = subprocess.Popen(
        [BIN / "scrapyd"], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    api = f"http://{ADDRESS}:{port}"
    content = {k: v for k, v in load_content().items() if k in ("daily-planet", "copycat-wire")}
    try:
        for _ in range(100):
            try:
                call(f"{api}/daemonstatus.json")
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        deployed = call(f"{api}/addversion.json", {"project": "syndetect", "version": "1"}, egg)
        assert deployed["status"] == "ok" and deployed["spiders"] == 1, deployed
        db = tmp_path / "scrapyd.db"
        with serve_web(content, discovery_of(content), first_address=112) as web:
            config = write_config(web, content, tmp_path / "sites.toml", TEST_CRAWL)
            job = call(
                f"{api}/schedule.json",
                {
                    "project": "syndetect",
                    "spider": "sites",
                    "config": str(config),
                    "setting": f"SYNDETECT_DB=sqlite:///{db}",
                },
            )
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                jobs = call(f"{api}/listjobs.json?project=syndetect")
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError("the Scrapyd job did not finish")
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        runs = conn.execute("SELECT status FROM crawl_runs").fetchall()
    assert stored == sum(len(s["articles"]) for s in content.values())
    assert runs == [("finished",), ("finished",)]
