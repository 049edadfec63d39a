"""The HTML report shows each site's crawl outcome in the words of `site_report`: failed,
partial and interrupted runs with their reasons, "not seen" where nothing was ever seen, and
when a site was last crawled successfully. Real loopback servers (127.0.0.190+), real crawls,
a real signal."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CLI, CRAWL_TABLE, syndetect

from crawler.demo.server import Page, serve
from crawler.output import verdict

DEAD = "http://127.0.0.209:8064/"  # nothing listens there
CRAWL = CRAWL_TABLE + "RETRY_TIMES = 0\n"


def site_entry(name: str, url: str, extra: str = "") -> str:
    return f'\n[[site]]\nname = "{name}"\nrole = "suspect"\nstart_urls = ["{url}"]\n{extra}'


def write_config(path: Path, *entries: str) -> str:
    path.write_text(CRAWL + "".join(entries), encoding="utf-8")
    return str(path)


def page(body: bytes) -> Page:
    return Page(b"<html><body>" + body + b"</body></html>")


@pytest.mark.slow
def test_failed_partial_and_interrupted_sites_show_their_reasons(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    links = b"".join(b"<a href='/p%d'>p</a>" % i for i in range(8))
    large = {"/": page(links), **{f"/p{i}": page(b"<p>page</p>") for i in range(8)}}
    flaky = {"/": page(b"<a href='/a'>a</a>"), "/a": page(b"<p>a page</p>")}
    slow = {"/": page(b"<a href='/s'>s</a>")}
    slow["/s"] = Page(b"<html><body><p>slow</p></body></html>", delay=8)
    addresses = {"large": ("127.0.0.190", 0), "flaky": ("127.0.0.191", 0)}
    addresses["slow"] = ("127.0.0.192", 0)
    with serve(addresses) as web:
        web.pages.update({"large": large, "flaky": flaky, "slow": slow})
        first = write_config(
            tmp_path / "first.toml",
            site_entry("large", web.bases["large"] + "/", "max_pages = 3\n"),
            site_entry("flaky", web.bases["flaky"] + "/"),
            site_entry("dead-farm", DEAD),
        )
        assert syndetect("--db", db, "-q", "crawl", first).returncode == 3
        # flaky was seen once; its next crawl gets only errors.
        web.pages["flaky"] = {"/": Page(b"down", status=503)}
        again = write_config(tmp_path / "again.toml", site_entry("flaky", web.bases["flaky"] + "/"))
        assert syndetect("--db", db, "-q", "crawl", again).returncode == 3
        stopped = write_config(tmp_path / "slow.toml", site_entry("slow", web.bases["slow"] + "/"))
        process = subprocess.Popen(
            [*CLI, "--db", db, "crawl", stopped], stderr=subprocess.PIPE, text=True
        )
        time.sleep(4.0)  # the slow page is being fetched (it takes 8 s)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 143, err[-2000:]

    rows = {
        r["site"]: r for r in json.loads(syndetect("--db", db, "report", "--format", "json").stdout)
    }
    assert {name: rows[name]["crawl_status"] for name in rows} == {
        "large": "partial",
        "flaky": "failed",
        "dead-farm": "failed",
        "slow": "interrupted",
    }
    out = tmp_path / "report.html"
    assert syndetect("--db", db, "report", "--format", "html", "--out", str(out)).returncode == 0
    html = out.read_text("utf-8")
    unseen = re.search(r'<div class="warn" id="unseen">(.*?)</div>', html, re.S).group(1)
    items = dict(re.findall(r"<li[^>]*><b>([^<]+)</b>: (.*?)</li>", unseen, re.S))
    assert set(items) == set(rows)
    for name, row in rows.items():
        # Every outcome and reason as `report --format json` gives it.
        assert f"last crawl {row['crawl_status']}" in items[name], name
        assert row["crawl_reason"] and row["crawl_reason"] in items[name], name
    assert "page budget of 3 reached" in items["large"]
    assert "connection refused" in items["dead-farm"] and "not seen" in items["dead-farm"]
    assert "stopped by a signal" in items["slow"] and "not seen" in items["slow"]
    assert "HTTP 503" in items["flaky"]
    assert f"Last successful crawl: {rows['flaky']['last_success'][:16]}" in items["flaky"]
    assert "not seen" not in items["flaky"]  # its first crawl saw it

    # The syndicators table: the verdict and last success of site_report, per site.
    for name, row in rows.items():
        cells = re.search(rf"<tr>\s*<td>{name}</td>(.*?)</tr>", html, re.S).group(1)
        values = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        assert values[1] == verdict(row), name
        if row["syndicator"] is None:  # no figures for a site not seen, as in the table
            assert values[2:4] == ["—", "—"], name
        assert values[-2].startswith(row["crawl_status"]), name
        success = row["last_success"][:10] if row["last_success"] else "never"
        assert values[-1] == success, name
    assert rows["dead-farm"]["syndicator"] is None and rows["flaky"]["syndicator"] is False
