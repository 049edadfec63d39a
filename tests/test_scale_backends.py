"""The same ingest → match → export path on PostgreSQL and with the LSH index in Redis
(datasketch's own redis storage), against the services this machine kind runs."""

import json
import subprocess
import sys
import uuid

import pytest
from conftest import demo_jsonl, require_service

from crawler.demo.render import load_content

CLI = [sys.executable, "-m", "crawler.cli"]


def syndetect(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def expected(names: list[str]) -> set[tuple[str, str]]:
    content = load_content()
    return {
        (
            f"https://{n}.example/{a['slug']}",
            "https://{}.example/{}".format(*a["copy_of"].split("/")),
        )
        for n in names
        for a in content[n]["articles"]
        if a.get("copy_of")
    }


def pairs(db: str) -> set[tuple[str, str]]:
    out = syndetect("--db", db, "export", "matches").stdout
    return {(r["copy_url"], r["original_url"]) for r in map(json.loads, out.splitlines())}


@pytest.mark.slow
def test_postgresql_and_redis_index(tmp_path, postgres_url):
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    prefix = f"test{uuid.uuid4().hex[:8]}"
    config = tmp_path / "index.toml"
    config.write_text(
        f"[index]\nbackend = 'redis'\nurl = 'redis://127.0.0.1:6379/0'\nprefix = '{prefix}'\n"
        "[[site]]\nname = 'x'\nrole = 'source'\nstart_urls = ['http://x.example/']\n"
    )
    files = {
        name: str(demo_jsonl(tmp_path, name))
        for name in ("daily-planet", "nouvelles-monde", "welt-nachrichten")
    }
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        syndetect(
            "--db",
            postgres_url,
            "ingest",
            files["daily-planet"],
            "--site",
            "daily-planet",
            "--role",
            "source",
        )
        syndetect("--db", postgres_url, "--quiet", "match", "--config", str(config))
        assert client.keys(f"{prefix}*"), "the index lives in Redis"
        for farm in ("nouvelles-monde", "welt-nachrichten"):
            syndetect(
                "--db", postgres_url, "ingest", files[farm], "--site", farm, "--role", "suspect"
            )
            # Each matcher process starts with an empty memory but finds the shared index.
            syndetect("--db", postgres_url, "--quiet", "match", "--config", str(config))
        assert pairs(postgres_url) == expected(["nouvelles-monde", "welt-nachrichten"])
        report = json.loads(syndetect("--db", postgres_url, "report", "--format", "json").stdout)
        assert {r["site"] for r in report if r["syndicator"]} == {
            "nouvelles-monde",
            "welt-nachrichten",
        }
    finally:
        keys = client.keys(f"{prefix}*")
        if keys:
            client.delete(*keys)
