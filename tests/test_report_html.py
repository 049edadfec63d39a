"""The analyst's HTML report over real databases: every copy listed and linked to its evidence,
siblings explained, sites not seen said so, hostile text escaped, charts that read right."""

import json
import re
import shutil
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import demo_jsonl, syndetect_ok

from crawler.report import charts

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def ingest_demo(tmp_path: Path, hostile: bool = False) -> str:
    """The demo's sites ingested and matched: copies by three farms and siblings among them."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    sites = (
        ("daily-planet", "source"),
        ("nouvelles-monde", "suspect"),
        ("noticias-hoy", "suspect"),
        ("welt-nachrichten", "suspect"),
    )
    for name, role in sites:
        title = (lambda a: HOSTILE + a["title"]) if hostile and role == "suspect" else None
        path = demo_jsonl(tmp_path, name, title=title)
        syndetect_ok("--db", db, "--quiet", "ingest", str(path), "--site", name, "--role", role)
    matched = syndetect_ok("--db", db, "match")
    (tmp_path / "match.log").write_text(matched.stderr, "utf-8")
    return db


@pytest.fixture(scope="module")
def demo_once(tmp_path_factory) -> Path:
    """The plain demo ingested and matched once per module; tests that change it get a copy."""
    directory = tmp_path_factory.mktemp("demo")
    ingest_demo(directory)
    return directory


@pytest.fixture
def ingested(tmp_path: Path, demo_once: Path):
    """`ingested(tmp_path)` puts a copy of the matched demo database (and its match log) in
    tmp_path; `hostile=True` ingests afresh with hostile titles."""

    def copy(directory: Path, hostile: bool = False) -> str:
        if hostile:
            return ingest_demo(directory, hostile=True)
        for path in [*demo_once.glob("r.db*"), demo_once / "match.log"]:
            shutil.copyfile(path, directory / path.name)
        return f"sqlite:///{directory / 'r.db'}"

    return copy


def exported(db: str) -> list[dict]:
    return [
        json.loads(line)
        for line in syndetect_ok("--db", db, "export", "matches").stdout.split("\n")
        if line
    ]


def test_report_lists_every_copy_with_its_evidence_and_explains_siblings(tmp_path, ingested):
    db = ingested(tmp_path, hostile=True)
    copies = exported(db)
    out = tmp_path / "report"
    printed = syndetect_ok("--db", db, "report", "--format", "html", "--out", str(out))
    assert printed.stdout.strip() == str(out / "index.html")
    html = (out / "index.html").read_text("utf-8")

    # Every copy has its row and a link to an evidence page that exists.
    rows = re.findall(r'<tr class="copy-row">(.*?)</tr>', html, re.S)
    assert len(rows) == len(copies) >= 6
    for copy in copies:
        link = f'href="evidence/match-{copy["id"]}.html"'
        assert link in html
        page = (out / "evidence" / f"match-{copy['id']}.html").read_text("utf-8")
        assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<script" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    for header in ("Share of its articles copied", "Languages copied into", "Copies linking back"):
        assert header in html
    assert "copy_share" not in html

    # Siblings: counted apart from copies, and each page names the original both copy.
    with sqlite3.connect(tmp_path / "r.db") as conn:
        siblings = conn.execute(
            "SELECT s.id, o.title FROM matches s "
            "JOIN matches a ON a.copy_id = s.copy_id AND a.relation = 'original' "
            "JOIN matches b ON b.copy_id = s.original_id AND b.relation = 'original' "
            "AND b.original_id = a.original_id "
            "JOIN articles o ON o.id = a.original_id WHERE s.relation = 'sibling'"
        ).fetchall()
    assert siblings, "the demo's farms copy the same originals"
    # The match line says what its new matches are, in the numbers the report and export show.
    n_siblings = len({s for s, _ in siblings})
    assert (
        f"{len(copies) + n_siblings} new matches ({len(copies)} copies of an original, "
        f"{n_siblings} siblings: two copies of one original)"
    ) in (tmp_path / "match.log").read_text("utf-8")
    assert f"<b>{len(copies)}</b> copies of an original" in html
    assert re.search(rf"<b>{len({s for s, _ in siblings})}</b> sibling matches", html)
    for match_id, original_title in siblings:
        page = (out / "evidence" / f"match-{match_id}.html").read_text("utf-8")
        assert "sibling" in page and "daily-planet" in page and original_title in page
        assert "republishes an article of" not in page


def test_sites_not_seen_are_named_with_the_reason(tmp_path, ingested):
    db = ingested(tmp_path)
    with sqlite3.connect(tmp_path / "r.db") as conn:
        conn.execute(
            "INSERT INTO sites (name, role, created_at) "
            "VALUES ('dead-farm', 'suspect', '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO crawl_runs (site_id, started_at, finished_at, status, pages_fetched, "
            "articles_new, articles_changed, articles_unchanged, articles_skipped, articles_gone, "
            "non_articles, errors) SELECT id, '2026-03-01 10:00', '2026-03-01 10:01', 'failed', "
            "0, 0, 0, 0, 0, 0, 0, 1 FROM sites WHERE name = 'dead-farm'"
        )
    out = tmp_path / "one.html"
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(out))
    html = out.read_text("utf-8")
    unseen = re.search(r'<div class="warn" id="unseen">(.*?)</div>', html, re.S).group(1)
    assert "dead-farm" in unseen and "failed" in unseen and "0 pages fetched, 1 errors" in unseen
    row = re.search(r"<tr>\s*<td>dead-farm</td>(.*?)</tr>", html, re.S).group(1)
    assert "not seen" in row and ">no<" not in row


def test_site_report_holds_only_that_site(tmp_path, ingested):
    db = ingested(tmp_path)
    copies = [c for c in exported(db) if c["copy_site"] == "noticias-hoy"]
    out = tmp_path / "farm.html"
    syndetect_ok(
        "--db", db, "report", "--format", "html", "--site", "noticias-hoy", "--out", str(out)
    )
    html = out.read_text("utf-8")
    assert len(re.findall(r'<tr class="copy-row">', html)) == len(copies) >= 1
    assert "nouvelles-monde</a>" not in html  # no other syndicator's row
    for copy in copies:
        assert (tmp_path / "evidence" / f"match-{copy['id']}.html").exists()
    failed = syndetect_ok("--db", db, "report", "--format", "html", "--site", "nope", code=2)
    assert failed.stderr.strip() == "syndetect: error: no site named 'nope' (see: syndetect report)"


def test_many_copies_go_to_paginated_site_pages(tmp_path, ingested):
    from crawler.report.writer import ReportLayout, write_report
    from db.session import connect, session_factory

    db = ingested(tmp_path)
    copies = exported(db)
    layout = ReportLayout(inline_copies=2, page_rows=2)
    with session_factory(connect(db))() as session:
        write_report(session, tmp_path / "big", sys.stdout, layout=layout)
    index = (tmp_path / "big" / "index.html").read_text("utf-8")
    assert 'class="copy-row"' not in index
    pages = sorted((tmp_path / "big" / "sites").glob("*.html"))
    listed = sum(p.read_text("utf-8").count('class="copy-row"') for p in pages)
    assert listed == len(copies)
    for page in pages:
        text = page.read_text("utf-8")
        for target in re.findall(r'href="(\.\./evidence/[^"]+|site-[^"]+)"', text):
            assert (page.parent / target).exists(), target
    assert any("Next page" in p.read_text("utf-8") for p in pages)


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_weekly_chart_reads_right_with_a_single_point():
    week = datetime(2026, 3, 2)
    svg = charts.weekly_copies({"farm": Counter({week: 3})})
    labels = _tick_labels(svg)
    assert "farm (3)" in labels
    # An x axis with dates around the week, and a y axis from 0 reaching 3.
    assert any(re.fullmatch(r"\d{2}|Mar|\d{4}-\w{3}|2026", t) for t in labels)
    assert {"0", "3"} <= set(labels)
    assert svg.count('id="m') >= 1  # a marker, so a single week is visible


def test_weekly_chart_over_two_years_names_both_years():
    start = datetime(2024, 1, 1)
    weeks = Counter({start + timedelta(weeks=n): 1 + n % 3 for n in range(0, 104, 5)})
    svg = charts.weekly_copies({"a": weeks, "b": Counter({start + timedelta(weeks=60): 2})})
    labels = _tick_labels(svg)
    assert "2024" in labels and "2025" in labels
    assert "a (" in " ".join(labels) and "b (2)" in labels


def test_weekly_chart_sums_the_syndicators_beyond_the_limit():
    week = datetime(2026, 3, 2)
    series = {f"farm-{n:02d}": Counter({week: n + 1}) for n in range(12)}
    labels = _tick_labels(charts.weekly_copies(series, charts.ChartLimits(series=3)))
    assert "9 other syndicators (45)" in labels  # 1 + 2 + ... + 9


def test_graph_draws_widths_by_copies():
    svg = charts.who_copies_whom(Counter({("planet", "farm-a"): 8, ("planet", "farm-b"): 2}))
    widths = sorted(float(w) for w in re.findall(r"stroke-width: ([\d.]+)", svg))
    assert widths[-1] > 3 * widths[0]
    assert {"planet", "farm-a", "farm-b", "8", "2"} <= set(_tick_labels(svg))


def test_evidence_pages_are_rewritten_only_when_what_they_show_changed(tmp_path, ingested):
    import os

    db = ingested(tmp_path)
    copies = exported(db)
    out = tmp_path / "report"
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(out))
    pages = sorted((out / "evidence").glob("match-*.html"))
    for page in pages:
        os.utime(page, (1_000_000, 1_000_000))
    changed = copies[0]
    with sqlite3.connect(tmp_path / "r.db") as conn:
        conn.execute("UPDATE articles SET title = 'Retitled' WHERE url = ?", (changed["copy_url"],))
        conn.execute("DELETE FROM matches WHERE id = ?", (copies[-1]["id"],))
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(out))
    rewritten = {p.name for p in pages if p.exists() and p.stat().st_mtime > 1_000_000}
    assert f"match-{changed['id']}.html" in rewritten
    assert "Retitled" in (out / "evidence" / f"match-{changed['id']}.html").read_text("utf-8")
    assert not (out / "evidence" / f"match-{copies[-1]['id']}.html").exists()
    # Only pages showing the retitled article (its copy match and its siblings) were rewritten.
    assert len(rewritten) < len(pages) // 2


def _links_resolve(page: Path) -> None:
    for target in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', page.read_text("utf-8")):
        assert (page.parent / target).exists(), (page, target)


def test_worker_processes_write_the_evidence_pages_one_process_would(tmp_path, ingested):
    from crawler.evidence import EvidenceParams
    from crawler.report.writer import ReportLayout, write_report
    from db.session import connect, session_factory

    db = ingested(tmp_path)
    matches = {row["id"] for row in exported(db)}
    with sqlite3.connect(tmp_path / "r.db") as conn:
        matches |= {i for (i,) in conn.execute("SELECT id FROM matches WHERE relation='sibling'")}
    pooled = EvidenceParams(range_size=2, workers=2, pool_from=1)
    written = {}
    for name, params in (("one", EvidenceParams(workers=1)), ("pool", pooled)):
        with session_factory(connect(db))() as session:
            write_report(session, tmp_path / name, sys.stdout, layout=ReportLayout(evidence=params))
        pages = sorted((tmp_path / name / "evidence").glob("match-*.html"))
        written[name] = {p.name: p.read_text("utf-8") for p in pages}
        manifest = json.loads((tmp_path / name / "evidence" / "manifest.json").read_text())
        assert {int(k) for k in manifest} == matches
    assert written["pool"] == written["one"]
    assert set(written["one"]) == {f"match-{i}.html" for i in matches}


def test_the_sites_table_continues_on_pages_past_the_index(tmp_path, ingested):
    from crawler.report.writer import ReportLayout, write_report
    from db.session import connect, session_factory

    db = ingested(tmp_path)
    layout = ReportLayout(inline_copies=2, page_rows=2, index_sites=3)
    with session_factory(connect(db))() as session:
        write_report(session, tmp_path / "big", sys.stdout, layout=layout)
    with sqlite3.connect(tmp_path / "r.db") as conn:
        sites = {name for (name,) in conn.execute("SELECT name FROM sites")}
    index = tmp_path / "big" / "index.html"
    tables = [index, *sorted((tmp_path / "big" / "sites").glob("sites-*.html"))]
    rows = [re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", p.read_text("utf-8")) for p in tables]
    assert len(rows[0]) == 3 and len(tables) == 1 + (len(sites) - 3 + 2) // 3 >= 2
    assert sorted(name for page in rows for name in page) == sorted(sites)
    assert 'href="sites/sites-2.html"' in index.read_text("utf-8")
    for page in tables:
        _links_resolve(page)


def test_an_evidence_page_says_what_was_not_recorded(tmp_path, ingested):
    db = ingested(tmp_path)
    match_id = exported(db)[0]["id"]
    with sqlite3.connect(tmp_path / "r.db") as conn:
        conn.execute("UPDATE matches SET evidence = '{}' WHERE id = ?", (match_id,))
    out = tmp_path / "report"
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(out))
    page = (out / "evidence" / f"match-{match_id}.html").read_text("utf-8")
    assert page.count("none recorded") == 2  # no anchors, no passages


def test_a_match_stored_while_the_report_runs_gets_its_evidence_page(tmp_path, ingested):
    from crawler.evidence import EvidenceJob
    from db.session import connect, session_factory

    db = ingested(tmp_path)
    late = exported(db)[0]["id"]
    with sqlite3.connect(tmp_path / "r.db") as conn:
        row = conn.execute("SELECT * FROM matches WHERE id = ?", (late,)).fetchone()
        conn.execute("DELETE FROM matches WHERE id = ?", (late,))
    directory = tmp_path / "evidence"
    with session_factory(connect(db))() as session, EvidenceJob(session, directory) as job:
        with sqlite3.connect(tmp_path / "r.db") as conn:
            conn.execute(f"INSERT INTO matches VALUES ({', '.join('?' * len(row))})", row)
        job.finish([late])
    assert f"Match {late}:" in (directory / f"match-{late}.html").read_text("utf-8")
