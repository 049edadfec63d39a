"""Evidence pages and the HTML report: complete, readable offline, and page-derived text escaped."""

import json
import subprocess

import pytest
from conftest import CLI, TEST_CRAWL, demo_jsonl, syndetect, syndetect_ok

from crawler.demo.render import load_content

HOSTILE_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.slow
def test_evidence_page_and_html_report(tmp_path):
    db = f"sqlite:///{tmp_path / 'e.db'}"
    for name, role in (("daily-planet", "source"), ("nouvelles-monde", "suspect")):
        path = demo_jsonl(
            tmp_path, name, title=lambda a: HOSTILE_TITLE if a.get("copy_of") else a["title"]
        )
        syndetect_ok("--db", db, "--quiet", "ingest", str(path), "--site", name, "--role", role)
    syndetect_ok("--db", db, "--quiet", "match")
    match = json.loads(syndetect_ok("--db", db, "export", "matches").stdout.splitlines()[0])
    written = syndetect_ok("--db", db, "evidence", str(match["id"]), "--out", str(tmp_path / "ev"))
    page = (tmp_path / "ev" / f"match-{match['id']}.html").read_text(encoding="utf-8")
    assert written.stdout.strip().endswith(f"match-{match['id']}.html")
    assert "<script>" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;" in page
    assert match["copy_url"] in page and match["original_url"] in page
    assert page.count("<tr><td>") >= 3, "aligned passages, side by side"
    report = tmp_path / "report.html"
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(report))
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "nouvelles-monde" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'href="evidence/match-{match["id"]}.html"' in html
    assert (tmp_path / "evidence" / f"match-{match['id']}.html").exists()


def test_unknown_match_is_a_one_line_error(tmp_path):
    from db.session import connect

    connect(f"sqlite:///{tmp_path / 'x.db'}").dispose()  # a database, with no match in it
    result = syndetect("--db", f"sqlite:///{tmp_path / 'x.db'}", "evidence", "42")
    assert result.returncode == 2 and result.stderr.strip() == (
        "syndetect: error: no match with id 42 (see: syndetect export matches)"
    )


@pytest.mark.slow
def test_crawled_matches_come_with_their_warc_records(tmp_path):
    import hashlib
    import sqlite3

    from warcio.archiveiterator import ArchiveIterator

    from crawler.demo.runner import discovery_of, write_config
    from crawler.demo.server import serve_web

    content = {k: v for k, v in load_content().items() if k in ("daily-planet", "copycat-wire")}
    db = tmp_path / "w.db"
    with serve_web(content, discovery_of(content), first_address=86) as web:
        config = write_config(web, content, tmp_path / "sites.toml", TEST_CRAWL)
        syndetect_ok("--db", f"sqlite:///{db}", "--quiet", "run", str(config))
    match = json.loads(
        syndetect_ok("--db", f"sqlite:///{db}", "export", "matches").stdout.split("\n")[0]
    )
    syndetect_ok(
        "--db", f"sqlite:///{db}", "evidence", str(match["id"]), "--out", str(tmp_path / "ev")
    )
    warc = tmp_path / "ev" / f"match-{match['id']}.warc.gz"
    with sqlite3.connect(db) as conn:
        digests = dict(conn.execute("SELECT url, payload_sha256 FROM articles").fetchall())
    with warc.open("rb") as handle:
        records = [
            (
                r.rec_headers.get_header("WARC-Target-URI"),
                r.rec_headers.get_header("WARC-Date"),
                hashlib.sha256(r.content_stream().read()).hexdigest(),
            )
            for r in ArchiveIterator(handle)
        ]
    assert [r[0] for r in records] == [match["original_url"], match["copy_url"]]
    for url, date, digest in records:
        assert digest == digests[url] and date.startswith("20")
    page = (tmp_path / "ev" / f"match-{match['id']}.html").read_text(encoding="utf-8")
    assert digests[match["copy_url"]] in page

    # An archive that is not there: one line, exit 2, and no half-written WARC left behind.
    out = tmp_path / "ev-missing"
    failed = subprocess.run(
        [
            *CLI,
            "--db",
            f"sqlite:///{db}",
            "evidence",
            str(match["id"]),
            "--out",
            str(out),
            "--archive",
            str(tmp_path / "nonexistent"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2 and "WARC archive file missing" in failed.stderr
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_a_match_decided_by_sentence_lengths_says_so(tmp_path):
    # A product review and its French translation share a brand, a shop and a price: too few
    # anchors for the model, so the verifier's second look (dedup/rhythm.py) decides, and the
    # stored evidence and the evidence page say so.
    import sqlite3
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures" / "dedup"
    db = f"sqlite:///{tmp_path / 'r.db'}"
    for site, role, name, title, day in (
        ("kettle-reviews", "source", "kettle_en", "My new kettle", "2025-03-01"),
        ("avis-maison", "suspect", "kettle_fr", "Ma nouvelle bouilloire", "2025-03-03"),
    ):
        row = {
            "url": f"https://{site}.example/{name}",
            "title": title,
            "text": fixtures.joinpath(f"{name}.txt").read_text("utf-8"),
            "published": day,
        }
        path = tmp_path / f"{site}.jsonl"
        path.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
        syndetect_ok("--db", db, "--quiet", "ingest", str(path), "--site", site, "--role", role)
    syndetect_ok("--db", db, "--quiet", "match")
    [line] = syndetect_ok("--db", db, "export", "matches").stdout.splitlines()
    match = json.loads(line)
    assert match["kind"] == "translation"
    assert match["copy_url"] == "https://avis-maison.example/kettle_fr"
    with sqlite3.connect(tmp_path / "r.db") as conn:
        (stored,) = conn.execute("SELECT evidence FROM matches").fetchone()
    evidence = json.loads(stored)
    assert evidence["rhythm"] >= 3.5 and set(evidence["anchors"]) == {"brevilia", "amazon", "35"}
    syndetect_ok("--db", db, "evidence", str(match["id"]), "--out", str(tmp_path / "ev"))
    page = (tmp_path / "ev" / f"match-{match['id']}.html").read_text(encoding="utf-8")
    assert "decided by its sentence lengths" in page
