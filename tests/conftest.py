"""Shared fixtures: databases (SQLite always; PostgreSQL and Redis when running, and always
under CI=true, where a missing service fails instead of skipping)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
# The ferry story of tests/fixtures/dedup, written for the project in English and translated
# into 21 languages of eleven scripts (docs/quality.md, "One story in 22 languages").
FERRY_TRANSLATIONS = tuple(
    f"ferry_{lang}"
    for lang in "de ru ja hi ar he fa ko zh es pl cs hu fi tr el vi id bn ta th".split()
)
POSTGRES_URL = os.environ.get(
    "SYNDETECT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def service_up(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when the service is absent locally; under CI its absence is a failure."""
    if service_up(host, port):
        return
    if IN_CI:
        pytest.fail(f"{name} is not reachable at {host}:{port}, and CI must not skip it")
    pytest.skip(f"{name} not running at {host}:{port}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL database emptied of syndetect's tables, views and migration state."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP VIEW IF EXISTS site_networks, site_report, copies"))
        conn.execute(
            text(
                "DROP TABLE IF EXISTS discovery_candidates, site_links, site_identifiers, "
                "site_markup, alerts, matches, fingerprints, crawl_runs, articles, sites, "
                "alembic_version CASCADE"
            )
        )
    engine.dispose()
    return POSTGRES_URL


def demo_jsonl(directory: Path, name: str, title=None) -> Path:
    """One demo site's articles as an ingest file (URLs https://<site>.example/<slug>);
    `title(article)` may replace the titles."""
    import json

    from crawler.demo.render import load_content

    path = directory / f"{name}.jsonl"
    rows = [
        {
            "url": f"https://{name}.example/{a['slug']}",
            "title": title(a) if title else a["title"],
            "text": "\n\n".join(a["paragraphs"]),
            "published": a["published"],
        }
        for a in load_content()[name]["articles"]
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
