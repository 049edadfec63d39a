"""The read queries behind `syndetect report` and `syndetect export`.

Reports read the SQL views, so what the CLI prints is exactly what a user gets from sqlite3.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from db.networks import NETWORK_ROWS

EXPORTS = ("matches", "articles", "sites", "networks")

_SITE_REPORT = """
SELECT site, role, articles, copies, copy_share, original_sites, languages,
       first_detection, last_detection, syndicator, crawl_status, crawl_reason, last_success
FROM site_report ORDER BY coalesce(syndicator, 0) DESC, copies DESC, site
"""

_MATCHES = """
SELECT match_id AS id, copy_url, original_url, copy_site, original_site, copy_lang,
       original_lang, kind, score, attributed, copy_title, original_title, copy_published,
       original_published, detected_at
FROM copies ORDER BY match_id
"""

_ARTICLES = """
SELECT a.id, a.url, s.name AS site, s.role, a.lang, a.lang_confidence, a.title, a.author,
       a.published, a.word_count, a.status, a.attribution_url, a.first_seen, a.last_seen
FROM articles a JOIN sites s ON s.id = a.site_id ORDER BY a.id
"""

_SITES = """
SELECT s.id, s.name AS site, s.role, s.language, s.base_url, r.articles, r.copies,
       r.copy_share, r.syndicator, r.crawl_status, r.crawl_reason, r.last_success
FROM sites s JOIN site_report r ON r.site = s.name ORDER BY s.id
"""

_EXPORT_SQL = {
    "matches": _MATCHES,
    "articles": _ARTICLES,
    "sites": _SITES,
    "networks": NETWORK_ROWS,
}
_BOOLEAN_COLUMNS = {"syndicator", "attributed"}


def _rows(session: Session, sql: str) -> Iterator[dict[str, Any]]:
    for row in session.execute(text(sql)).mappings():
        item = dict(row)
        for column in _BOOLEAN_COLUMNS & item.keys():
            # NULL stays None: a site not seen has no verdict (db/views.py).
            if item[column] is not None:
                item[column] = bool(item[column])
        yield item


def site_report(session: Session) -> list[dict[str, Any]]:
    """One row per site; `original_sites` and `languages` as lists."""
    report = []
    for row in _rows(session, _SITE_REPORT):
        row["copy_share"] = round(float(row["copy_share"] or 0.0), 4)
        for key in ("original_sites", "languages"):
            row[key] = sorted(filter(None, (row[key] or "").split(",")))
        report.append(row)
    return report


def export_columns(session: Session, what: str) -> list[str]:
    """The column names of an export, known even when it has no row."""
    sql = _EXPORT_SQL[what]
    return list(session.execute(text(f"SELECT * FROM ({sql}) AS q LIMIT 0")).keys())


def export(session: Session, what: str) -> Iterator[dict[str, Any]]:
    """Rows of `matches`, `articles`, `sites` or `networks` (site_networks) for the exports."""
    if what not in _EXPORT_SQL:
        raise ValueError(f"unknown export {what!r}: choose one of {', '.join(EXPORTS)}")
    yield from _rows(session, _EXPORT_SQL[what])
