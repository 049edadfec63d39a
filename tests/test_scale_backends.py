"""The same ingest → match → export path on PostgreSQL and with the LSH index in Redis
(datasketch's own redis storage), against the services this machine kind runs."""

import json
import uuid

import pytest
from conftest import demo_jsonl, require_service, syndetect_ok

from crawler.demo.render import load_content


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
    out = syndetect_ok("--db", db, "export", "matches").stdout
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
        syndetect_ok(
            "--db",
            postgres_url,
            "ingest",
            files["daily-planet"],
            "--site",
            "daily-planet",
            "--role",
            "source",
        )
        syndetect_ok("--db", postgres_url, "--quiet", "match", "--config", str(config))
        assert client.keys(f"{prefix}*"), "the index lives in Redis"
        for farm in ("nouvelles-monde", "welt-nachrichten"):
            syndetect_ok(
                "--db", postgres_url, "ingest", files[farm], "--site", farm, "--role", "suspect"
            )
            # Each matcher process starts with an empty memory but finds the shared index.
            syndetect_ok("--db", postgres_url, "--quiet", "match", "--config", str(config))
        assert pairs(postgres_url) == expected(["nouvelles-monde", "welt-nachrichten"])
        report = json.loads(syndetect_ok("--db", postgres_url, "report", "--format", "json").stdout)
        assert {r["site"] for r in report if r["syndicator"]} == {
            "nouvelles-monde",
            "welt-nachrichten",
        }
    finally:
        keys = client.keys(f"{prefix}*")
        if keys:
            client.delete(*keys)
