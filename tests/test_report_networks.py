"""The HTML report's "Operator networks" section: each network with its sites, the conclusive
identifiers that link them and who carries each, supporting evidence marked as linking nothing,
and hostile identifier values escaped (they come from the farms' own pages)."""

import re

import pytest
from conftest import syndetect_ok

from db.models import utcnow
from db.networks import record_page_markup
from db.session import connect, session_factory
from db.store import upsert_site

HOSTILE = '"><script>alert(1)</script>'
# site -> identifiers read from its pages (kind, value, tier); PLATFORM is on nearly every site.
PLATFORM = ("ga", "UA-5555555", "conclusive")
SITES = {
    "farm-a": [("adsense", "ca-pub-1", "conclusive"), ("twitter", "@ops", "associative")],
    "farm-b": [("adsense", "ca-pub-1", "conclusive"), ("ga", HOSTILE, "conclusive")],
    "farm-c": [("ga", HOSTILE, "conclusive"), ("twitter", "@ops", "associative")],
    "other-1": [("gtm", "GTM-X", "conclusive")],
    "other-2": [("gtm", "GTM-X", "conclusive"), ("generator", "<b>WP</b>", "tertiary")],
    "innocent": [("ga", "UA-7", "conclusive"), ("generator", "<b>WP</b>", "tertiary")],
}


def fill(url: str) -> None:
    engine = connect(url)
    with session_factory(engine)() as session:
        for name, rows in SITES.items():
            site = upsert_site(session, name, "suspect")
            session.flush()
            record_page_markup(session, site.id, [*rows, PLATFORM], {}, utcnow())
        session.commit()
    engine.dispose()


def report(url: str, *args: str) -> str:
    return syndetect_ok("--db", url, "report", "--format", "html", *args).stdout


def section(html: str) -> str:
    return re.search(r'<h2 id="networks">(.*?)<h2 id="copies">', html, re.S).group(1)


def networks_in(part: str) -> dict[str, dict]:
    found = {}
    for block in re.split(r"(?=<h3 )", part)[1:]:
        sites = re.search(r'<p class="network-sites">Sites: (.*?)\.</p>', block).group(1)
        linking = re.findall(
            r'<tr class="network-identifier"><td><code>(.*?)</code></td><td>(.*?)</td>'
            r"<td>(.*?)</td>",
            block,
        )
        supporting = re.findall(r'<tr class="network-support"><td><code>(.*?)</code>', block)
        names = tuple(re.findall(r"<b>([^<]+)</b>", sites))
        found[names] = {"linking": linking, "supporting": supporting, "block": block}
    return found


def test_networks_section_names_sites_identifiers_and_what_a_network_means(sqlite_url):
    fill(sqlite_url)
    part = section(report(sqlite_url))
    assert "not proof of ownership" in part
    groups = networks_in(part)
    assert set(groups) == {("farm-a", "farm-b", "farm-c"), ("other-1", "other-2")}
    farms = groups[("farm-a", "farm-b", "farm-c")]
    escaped = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert farms["linking"] == [
        ("ca-pub-1", "adsense", "farm-a, farm-b"),
        (escaped, "ga", "farm-b, farm-c"),
    ]
    assert farms["supporting"] == ["@ops"] and "links nothing alone" in farms["block"]
    others = groups[("other-1", "other-2")]
    assert others["linking"] == [("GTM-X", "gtm", "other-1, other-2")]
    # The generator is shared with a site outside the network: not evidence for it.
    assert others["supporting"] == []
    assert "<script>" not in part and "UA-5555555" not in part and "innocent" not in part


@pytest.mark.slow
def test_a_site_page_shows_its_network_only(sqlite_url, tmp_path):
    fill(sqlite_url)
    out = tmp_path / "farm.html"
    report(sqlite_url, "--site", "farm-c", "--out", str(out))
    groups = networks_in(section(out.read_text("utf-8")))
    assert set(groups) == {("farm-a", "farm-b", "farm-c")}
    alone = tmp_path / "innocent.html"
    report(sqlite_url, "--site", "innocent", "--out", str(alone))
    assert 'id="networks"' not in alone.read_text("utf-8")


def test_no_networks_says_why(sqlite_url):
    engine = connect(sqlite_url)
    with session_factory(engine)() as session:
        upsert_site(session, "lonely", "suspect")
        session.commit()
    engine.dispose()
    assert "No networks: no identifiers recorded yet" in section(report(sqlite_url))
