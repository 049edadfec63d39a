"""Datasette metadata: the canned queries run, through Datasette itself, on a real database."""

import asyncio
import subprocess
import sys

from conftest import demo_jsonl

from crawler.browse import CANNED_QUERIES, metadata

CLI = [sys.executable, "-m", "crawler.cli"]


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
    subprocess.run([*CLI, "--db", f"sqlite:///{db}", "-q", "match"], check=True, timeout=300)
    original = "https://daily-planet.example/northwick-rovers-sold"

    async def run_all() -> dict[str, list]:
        ds = Datasette([str(db)], metadata=metadata(db.stem))
        results = {}
        for name in CANNED_QUERIES:
            response = await ds.client.get(f"/{db.stem}/{name}.json?_shape=array&url={original}")
            assert response.status_code == 200, (name, response.text[:500])
            results[name] = response.json()
        page = await ds.client.get(f"/{db.stem}/site_report")
        assert "Per site: articles, copies" in page.text
        return results

    results = asyncio.run(run_all())
    assert [r["site"] for r in results["top_syndicators"]] == ["noticias-hoy"]
    assert [r["copy_site"] for r in results["copies_of_url"]] == ["noticias-hoy"]
    assert results["new_syndicators_this_week"][0]["site"] == "noticias-hoy"
    assert {(r["original_lang"], r["copy_lang"]) for r in results["matches_by_language_pair"]} == {
        ("en", "es")
    }
