"""Not-slow checks of modules whose main tests crawl, serve Datasette or run the demo (all
slow): the crawl's settings, the probe's address guard and notes, the demo's sites file and the
Datasette metadata. They keep the inner loop (`pytest -m "not slow"`) reaching every module."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.utils.conf import build_component_list
from sqlalchemy import inspect

from crawler import settings as defaults
from crawler.browse import TABLES, metadata
from crawler.config import load
from crawler.crawl import crawl_settings
from crawler.demo.render import load_content
from crawler.demo.runner import FAST_CRAWL, discovery_of, write_config
from crawler.demo.server import serve_web
from crawler.probe import non_public, stop_notes
from db.session import connect


def test_crawl_settings_are_the_project_defaults_under_the_config(tmp_path: Path) -> None:
    config_path = tmp_path / "sites.toml"
    config_path.write_text(
        '[crawl]\nDOWNLOAD_DELAY = 2\n\n[[site]]\nname = "a"\nrole = "source"\n'
        'start_urls = ["http://127.0.0.9/"]\n',
        encoding="utf-8",
    )
    settings = crawl_settings(load(config_path), "sqlite:///x.db", quiet=True)
    assert settings.getfloat("DOWNLOAD_DELAY") == 2 != defaults.DOWNLOAD_DELAY
    assert settings.getint("SYNDETECT_MAX_LINKS") == defaults.SYNDETECT_MAX_LINKS
    assert settings.getint("SYNDETECT_SITEMAP_DEPTH") == defaults.SYNDETECT_SITEMAP_DEPTH
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.get("SYNDETECT_DB") == "sqlite:///x.db"
    assert settings.getbool("SYNDETECT_PROGRESS") is False
    # No way into a crawling process from outside: neither telnet nor remote control.
    extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert "crawler.extensions.CrawlProgress" in extensions
    assert not any("remote_control" in name for name in extensions)
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("169.254.1.1", "link-local"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("0.0.0.0", "private"),  # Python counts 0.0.0.0/8 as private
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_non_public_addresses_are_named(address: str, kind: str | None) -> None:
    assert non_public(address) == kind


def test_probe_notes_say_why_each_candidate_stopped_short() -> None:
    stats = {
        "finish_reason": "closespider_pagecount",
        "syndetect/probe_private/inner.example": 1,
        "syndetect/probe_time_budget/slow.example": 1,
        "syndetect/pages/slow.example": 3,
        "syndetect/pages/fine.example": 5,
    }
    notes = stop_notes(
        stats,
        {"gone.example": "DNS lookup failed"},
        ["inner.example", "slow.example", "fine.example", "gone.example"],
    )
    assert notes["inner.example"].startswith("not fetched: private address")
    assert "time budget spent" in notes["slow.example"]
    assert all("total budget (closespider_pagecount)" in note for note in notes.values())
    assert "nothing fetched" not in notes["gone.example"]  # the total budget says why
    quiet = stop_notes(
        {"syndetect/pages/fine.example": 5},
        {"gone.example": "refused"},
        ["fine.example", "gone.example"],
    )
    assert quiet == {"gone.example": "nothing fetched: refused"}


def test_demo_sites_file_describes_the_served_web(tmp_path: Path) -> None:
    content = load_content()
    with serve_web(content, discovery_of(content), first_address=241) as web:
        path = write_config(web, content, tmp_path / "demo.toml", FAST_CRAWL)
        config = load(path)
        assert {site.name: site.start_urls for site in config.sites} == {
            name: (base + "/",) for name, base in web.bases.items()
        }
    assert {site.role for site in config.sites} == {content[s.name]["role"] for s in config.sites}
    assert config.crawl == FAST_CRAWL


def test_browse_metadata_describes_tables_and_views_that_exist(sqlite_url: str) -> None:
    engine = connect(sqlite_url)
    schema = inspect(engine)
    existing = set(schema.get_table_names()) | set(schema.get_view_names())
    engine.dispose()
    described = metadata("test")["databases"]["test"]["tables"]
    assert set(described) == set(TABLES) and set(TABLES) <= existing
    assert all(entry["title"] and entry["description"] for entry in described.values())
