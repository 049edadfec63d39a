"""`syndetect browse`: the database in Datasette (an optional extra), described for people:
titles and descriptions of tables and views, and canned queries for the common questions."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from crawler.errors import UserError
from crawler.interrupt import on_signals

HOST = "127.0.0.1"  # Datasette's default: the database is served to this machine only

CANNED_QUERIES = {
    "top_syndicators": {
        "title": "Top syndicators",
        "description": "Sites judged syndicators, most copies first.",
        "sql": "SELECT site, copies, copy_share, original_sites, languages, first_detection, "
        "last_detection FROM site_report WHERE syndicator = 1 ORDER BY copies DESC",
    },
    "copies_of_url": {
        "title": "Copies of an article",
        "description": "Every copy found of one original URL.",
        "sql": "SELECT copy_url, copy_site, copy_lang, kind, score, attributed, detected_at "
        "FROM copies WHERE original_url = :url ORDER BY detected_at",
    },
    "new_syndicators_this_week": {
        "title": "New syndicators this week",
        "description": "Syndicators whose first detected copy is less than seven days old.",
        "sql": "SELECT site, copies, original_sites, first_detection FROM site_report "
        "WHERE syndicator = 1 AND first_detection >= datetime('now', '-7 days') "
        "ORDER BY first_detection DESC",
    },
    "passages_of_match": {
        "title": "Aligned passages of a match",
        "description": "The sentences a match aligned, original beside copy, cut from both "
        "stored texts (evidence spans; passages as stored by matches before 2026-12-07).",
        "sql": "SELECT p.key AS n, substr(o.text, json_extract(p.value, '$[0]') + 1, "
        "json_extract(p.value, '$[1]')) AS original, substr(c.text, json_extract(p.value, "
        "'$[2]') + 1, json_extract(p.value, '$[3]')) AS copy FROM matches m "
        "JOIN articles o ON o.id = m.original_id JOIN articles c ON c.id = m.copy_id, "
        "json_each(m.evidence, '$.spans') AS p WHERE m.id = :match "
        "UNION ALL SELECT p.key, json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]') "
        "FROM matches m, json_each(m.evidence, '$.passages') AS p WHERE m.id = :match "
        "ORDER BY n",
    },
    "matches_by_language_pair": {
        "title": "Matches by language pair",
        "description": "How many copies per (original language, copy language) and kind.",
        "sql": "SELECT original_lang, copy_lang, kind, count(*) AS copies, round(avg(score), 3) "
        "AS mean_score FROM copies GROUP BY original_lang, copy_lang, kind ORDER BY copies DESC",
    },
}

TABLES = {
    "sites": (
        "Sites",
        "Configured or ingested sites; role source publishes originals, suspect "
        "is checked for copies.",
    ),
    "articles": (
        "Articles",
        "One row per article page (non-articles are not stored); status "
        "'gone' when the page now answers 404/410.",
    ),
    "matches": (
        "Matches",
        "Copy → original pairs with score, kind and evidence; relation "
        "'sibling' marks two copies of one original (left out of the views).",
    ),
    "fingerprints": ("Fingerprints", "The matcher's serialized fingerprint per article."),
    "crawl_runs": ("Crawl runs", "One row per crawl of one site, with its counts."),
    "alerts": ("Alerts", "Events raised once: new syndicators, new copies of watched sources."),
    "copies": ("Copies", "Each match with both articles and sites: who copied what."),
    "site_report": (
        "Site report",
        "Per site: articles, copies, share, original sites, "
        "languages, first and last detection, syndicator (≥ 2 copies; empty when the site "
        "was never seen), last crawl's status and reason, last successful crawl.",
    ),
}


def metadata(database_name: str) -> dict:
    return {
        "title": "syndetect",
        "description": "Which sites republish translated or verbatim copies of which originals.",
        "databases": {
            database_name: {
                "tables": {
                    name: {"title": title, "description": description}
                    for name, (title, description) in TABLES.items()
                },
                "queries": CANNED_QUERIES,
            }
        },
    }


def browse(database: Path, port: int = 8001) -> int:
    """Serve `database` with Datasette until interrupted. SIGINT or SIGTERM stops the server
    too (it must not outlive us, still serving), and its metadata file goes with it."""
    datasette = shutil.which("datasette")
    if datasette is None:
        raise UserError("Datasette is not installed: pip install 'syndetect[browse]'")
    _check_port_free(port)
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(database.stem)), encoding="utf-8")
        command = [datasette, "serve", str(database), "--metadata", str(meta), "--port", str(port)]
        server = subprocess.Popen(command)
        with on_signals(lambda _signum: server.terminate(), again=lambda _signum: server.kill()):
            code = server.wait()
        return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


def _check_port_free(port: int) -> None:
    """A taken port in one line, before Datasette would print uvicorn's own error."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise UserError(
                f"port {port} on {HOST} is in use ({exc.strerror}): choose another with --port"
            ) from None
