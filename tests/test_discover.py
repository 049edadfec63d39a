"""Discovery and operator networks on a served web (127.0.0.210-.250), through the real CLI.

Two operators run three farms each (shared AdSense and analytics ids, blogrolls to their own
sites); one independent farm; an innocent newsroom on the same WordPress theme with the same
platform-wide widget as the farms; and one farm of the first operator that the config does not
list, linked from a listed farm's articles and template. A fourth, unserved host is only named
as a source by the independent farm.
"""

import json
import sqlite3
import subprocess
import time
from html import escape
from pathlib import Path

import pytest
from conftest import CRAWL_TABLE
from conftest import syndetect as run_syndetect
from sqlalchemy import create_engine, text

from crawler.demo.render import Page, load_content
from crawler.demo.server import serve

WIDGET = "http://127.0.0.248/widget.js?id=UA-5555555-1"  # a platform's widget, on most sites
SHARE = "http://127.0.0.249/share"  # a social button every site links
WIRE = "http://127.0.0.220:9/story"  # an original nobody monitors, never served
OPERATOR_A = '<script async src="https://x.example/ads.js?client=ca-pub-1000000000000001"></script>'
OPERATOR_A += "<script>ga('create', 'UA-1000001-1', 'auto');</script>"
OPERATOR_B = "<script>(function(){})(window,document,'script','dataLayer','GTM-BBBB22');</script>"
OPERATOR_B += '<meta name="google-site-verification" content="operatorBtoken">'
ADDRESSES = {
    "planet": 210,
    "mirador": 211,
    "a1": 212,
    "a2": 213,
    "a3": 214,
    "b1": 215,
    "b2": 216,
    "b3": 217,
    "solo": 218,
    "hidden": 219,
}
# Which of the source's articles each farm copies word for word.
COPIES = {
    "a1": [0, 1],
    "a2": [2, 3],
    "a3": [4, 5],
    "b1": [0, 2],
    "b2": [1, 3],
    "b3": [4, 0],
    "solo": [5, 1],
    "hidden": [2, 4, 5],
}
ROLES = {"planet": "source", "mirador": "source"}
OPERATORS = {"a": ["a1", "a2", "a3", "hidden"], "b": ["b1", "b2", "b3"]}


def page(head: str, nav: str, body: str, lang: str = "en") -> Page:
    return Page(
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>t</title>'
        f'<meta property="og:type" content="article">{head}</head>'
        f"<body><nav>{nav}</nav>{body}<footer>(c) 2026</footer></body></html>".encode()
    )


def site_pages(name: str, bases: dict[str, str]) -> dict[str, Page]:
    content = load_content()
    source = content["daily-planet"]["articles"]
    if name == "planet":
        articles, lang = source, "en"
    elif name == "mirador":
        articles, lang = content["el-mirador"]["articles"], "es"
    else:
        articles, lang = [source[i] for i in COPIES[name]], "en"
    head, nav = "", ""
    if name != "planet":  # the platform (theme, widget, share button): everyone but planet
        head += '<meta name="generator" content="WordPress 6.4.2">'
        head += '<link rel="stylesheet" href="/wp-content/themes/newsup/style.css">'
        head += f'<script src="{WIDGET}"></script>'
        nav += f'<a href="{SHARE}">Share</a>'
    for operator, sites in OPERATORS.items():
        if name in sites:
            head += OPERATOR_A if operator == "a" else OPERATOR_B
            nav += "".join(f'<a href="{bases[s]}/">{s}</a>' for s in sites if s != name)
    if name == "mirador":
        head += "<script>ga('create', 'UA-7777777-1', 'auto');</script>"
    pages = {"/": page(head, nav, "".join(f'<a href="/n/{a["slug"]}">x</a>' for a in articles))}
    for article in articles:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])
        if name == "a1":
            paragraphs += f'<p>More from our network: <a href="{bases["hidden"]}/">here</a>.</p>'
        if name == "solo":
            paragraphs += f'<p><a href="{WIRE}">Source link</a></p>'
        body = f"<article><h1>{escape(article['title'])}</h1>{paragraphs}</article>"
        pages[f"/n/{article['slug']}"] = page(head, nav, body, lang)
    return pages


def syndetect(db: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = run_syndetect("--db", db, "--quiet", *args, timeout=600)
    if ok:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def config_text(bases: dict[str, str], discover: str = "allow_private_addresses = true") -> str:
    sites = "".join(
        f'[[site]]\nname = "{name}"\nrole = "{ROLES.get(name, "suspect")}"\n'
        f'start_urls = ["{bases[name]}/"]\n'
        for name in ADDRESSES
        if name != "hidden"
    )
    return CRAWL_TABLE + f"[discover]\n{discover}\n{sites}"


def networks(db: str) -> list[list[str]]:
    return [g["sites"] for g in json.loads(syndetect(db, "networks", "--format", "json").stdout)]


@pytest.fixture(scope="module")
def web():
    with serve({name: (f"127.0.0.{n}", 0) for name, n in ADDRESSES.items()}) as served:
        for name in ADDRESSES:
            served.pages[name] = site_pages(name, served.bases)
        yield served


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite database (SQLite's backup, whatever its journal holds)."""
    reader, writer = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()
    return target


@pytest.fixture(scope="module")
def world(web, tmp_path_factory):
    """The listed sites crawled and matched (also kept as they are then, in `after_run`), then
    `discover --probe 10` run once."""
    tmp = tmp_path_factory.mktemp("discover")
    config = tmp / "sites.toml"
    config.write_text(config_text(web.bases))
    db = f"sqlite:///{tmp / 'world.db'}"
    syndetect(db, "run", str(config))
    after_run = copy_database(tmp / "world.db", tmp / "after_run.db")
    before = networks(db)
    proposed = json.loads(syndetect(db, "discover", str(config), "--format", "json").stdout)
    probed = json.loads(
        syndetect(db, "discover", str(config), "--probe", "10", "--format", "json").stdout
    )
    return {
        "db": db,
        "after_run": after_run,
        "config": config,
        "before": before,
        "proposed": proposed,
        "probed": probed,
    }


def host(web, name: str) -> str:
    return web.bases[name].removeprefix("http://")


def test_networks_are_exactly_the_two_operators(world):
    """The widget's id on 8 of 9 sites links nothing; the theme is a hint; the independent
    farm and the innocent newsroom join no network."""
    assert world["before"] == [["a1", "a2", "a3"], ["b1", "b2", "b3"]]


def test_discover_proposes_the_unlisted_farm_and_the_unmonitored_source(web, world):
    hosts = [c["host"] for c in world["proposed"]]
    assert hosts == [host(web, "hidden"), "127.0.0.220:9"]  # nothing platform-wide
    hidden, wire = world["proposed"]
    assert hidden["status"] == "proposed" and hidden["copies"] == 0
    assert any("article bodies of 1 syndicator(s): a1" in r for r in hidden["reasons"])
    assert any("template of 3 syndicator(s): a1, a2, a3" in r for r in hidden["reasons"])
    assert any("source of 2 article(s) by solo" in r for r in wire["reasons"])


def test_probe_finds_the_farms_copies_and_its_operator(web, world):
    hidden, wire = world["probed"]
    assert hidden["host"] == host(web, "hidden")
    assert (hidden["status"], hidden["copies"], hidden["original_sites"]) == (
        "probed",
        3,
        ["planet"],
    )
    assert 3 <= hidden["pages_probed"] <= 10
    assert any("ca-pub-1000000000000001" in r and "a1" in r for r in hidden["reasons"])
    # Unreachable: probed, nothing found, and said so.
    assert (wire["status"], wire["copies"], wire["pages_probed"]) == ("probed", 0, 0)
    assert any("nothing fetched" in r for r in wire["reasons"])
    # The probed farm now shows in its operator's network.
    assert networks(world["db"]) == [[host(web, "hidden"), "a1", "a2", "a3"], ["b1", "b2", "b3"]]


def test_added_candidate_is_crawled_by_later_runs_and_the_toml_is_untouched(web, world):
    db, config = world["db"], world["config"]
    toml = config.read_text()
    missing = syndetect(db, "discover", str(config), "--add", "nowhere.example", ok=False)
    assert missing.returncode == 2 and "no discovery candidate 'nowhere.example'" in missing.stderr
    syndetect(db, "discover", str(config), "--add", host(web, "hidden"))
    syndetect(db, "crawl", str(config), "--site", host(web, "hidden"))
    assert config.read_text() == toml
    engine = create_engine(db)
    with engine.connect() as conn:
        role, runs = conn.execute(
            text(
                "SELECT s.role, count(r.id) FROM sites s JOIN crawl_runs r ON r.site_id = s.id "
                "WHERE s.name = :h GROUP BY s.role"
            ),
            {"h": host(web, "hidden")},
        ).one()
        status = conn.execute(
            text("SELECT status FROM discovery_candidates WHERE host = :h"),
            {"h": host(web, "hidden")},
        ).scalar_one()
    engine.dispose()
    assert (role, status) == ("suspect", "added")
    assert runs == 2  # the probe's and this crawl's


def test_probe_never_reaches_private_addresses_unless_allowed(web, world, tmp_path):
    # The same sites as the world's, crawled and matched; only [discover] differs.
    config = tmp_path / "sites.toml"
    config.write_text(config_text(web.bases, discover="max_candidates = 5"))
    db = f"sqlite:///{copy_database(world['after_run'], tmp_path / 'private.db')}"
    probed = json.loads(
        syndetect(db, "discover", str(config), "--probe", "5", "--format", "json").stdout
    )
    hidden = next(c for c in probed if c["host"] == host(web, "hidden"))
    assert (hidden["pages_probed"], hidden["copies"]) == (0, 0)
    assert any("private address" in r for r in hidden["reasons"])
    engine = create_engine(db)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name = :h"
            ),
            {"h": host(web, "hidden")},
        ).scalar_one()
    engine.dispose()
    assert stored == 0


@pytest.mark.slow
def test_a_hostile_candidate_costs_its_budget_and_nothing_more(tmp_path):
    """Endless slow pagination: the probe stops at the candidate's time budget."""

    def endless(n: int) -> Page:
        return Page(f'<html><body><a href="/p/{n + 1}">next</a></body></html>'.encode(), delay=0.3)

    addresses = {"farm": ("127.0.0.230", 0), "trap": ("127.0.0.231", 0), "src": ("127.0.0.232", 0)}
    with serve(addresses) as served:
        trap = served.bases["trap"]
        served.pages["trap"] = {"/": endless(0), **{f"/p/{n}": endless(n) for n in range(1, 500)}}
        source = load_content()["daily-planet"]["articles"]
        served.pages["farm"] = {
            "/": page("", "", "".join(f'<a href="/n/{k}">x</a>' for k in range(2))),
            **{
                f"/n/{k}": page(
                    "",
                    "",
                    "<article>"
                    + "".join(f"<p>{escape(p)}</p>" for p in source[k]["paragraphs"])
                    + f'<p><a href="{trap}/">more</a></p></article>',
                )
                for k in range(2)
            },
        }
        served.pages["src"] = {
            "/": page("", "", "".join(f'<a href="/s/{k}">x</a>' for k in range(2))),
            **{
                f"/s/{k}": page(
                    "",
                    "",
                    "<article>"
                    + "".join(f"<p>{escape(p)}</p>" for p in source[k]["paragraphs"])
                    + "</article>",
                )
                for k in range(2)
            },
        }
        config = tmp_path / "sites.toml"
        config.write_text(
            CRAWL_TABLE + "[discover]\nallow_private_addresses = true\ncandidate_seconds = 2\n"
            f'[[site]]\nname = "farm"\nrole = "suspect"\nstart_urls = ["{served.bases["farm"]}/"]\n'
            f'[[site]]\nname = "src"\nrole = "source"\nstart_urls = ["{served.bases["src"]}/"]\n'
        )
        db = f"sqlite:///{tmp_path / 'hostile.db'}"
        syndetect(db, "run", str(config))
        started = time.monotonic()
        probed = json.loads(
            syndetect(db, "discover", str(config), "--probe", "400", "--format", "json").stdout
        )
        elapsed = time.monotonic() - started
    assert [c["host"] for c in probed] == [trap.removeprefix("http://")]
    assert any("time budget spent" in r for r in probed[0]["reasons"])
    assert probed[0]["pages_probed"] < 30
    assert elapsed < 60


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("allow_private_addresses = 1", "'allow_private_addresses': must be true or false"),
        ("candidate_seconds = -1", "'candidate_seconds': must be a positive number"),
        ("platform_share = 2", "'platform_share': must be a number above 0 and at most 1"),
        ("probes = 3", "'probes': unknown key"),
    ],
)
def test_bad_discover_table_is_one_line_naming_the_key(tmp_path, table, problem):
    config = tmp_path / "sites.toml"
    config.write_text(
        f'[discover]\n{table}\n[[site]]\nname = "s"\nrole = "suspect"\n'
        'start_urls = ["http://127.0.0.240/"]\n'
    )
    result = syndetect(f"sqlite:///{tmp_path / 'x.db'}", "discover", str(config), ok=False)
    assert result.returncode == 2
    assert result.stderr == f"syndetect: error: {config}: [discover] key {problem}\n"


def test_probe_needs_a_positive_page_count(tmp_path):
    result = syndetect(
        f"sqlite:///{tmp_path / 'x.db'}", "discover", "x.toml", "--probe", "0", ok=False
    )
    assert result.returncode == 2 and "'0' is not a positive whole number" in result.stderr
