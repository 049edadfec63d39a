"""Evidence a rights team can act on: one self-contained HTML page per match (readable offline,
every page-derived string escaped), and the site report as HTML with copies over time."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Article, Match, Site

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4em;
vertical-align:top;text-align:left}th{background:#f4f4f4}.anchor{background:#fff3b0;
border-radius:3px;padding:0 .2em;margin:.1em;display:inline-block}code{word-break:break-all}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _article_rows(label: str, article: Article, site: Site) -> str:
    cells = [
        ("Site", f"{site.name} ({site.role})"),
        ("URL", article.url),
        ("Title", article.title or ""),
        ("Language", f"{article.lang or '?'} ({article.lang_confidence or 0:.2f})"),
        ("Published", _when(article.published)),
        ("First seen", _when(article.first_seen)),
        ("Status", article.status),
        (
            "Archived response",
            f"{article.warc_file} @ {article.warc_offset}"
            if article.warc_file
            else "not archived (ingested, not crawled)",
        ),
        ("Payload SHA-256", article.payload_sha256 or "—"),
    ]
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v) if k != 'URL' else _link(v)}</td></tr>"
        for k, v in cells
    )
    return f"<h2>{escape(label)}</h2><table>{rows}</table>"


def _link(url: str) -> str:
    return f'<a href="{escape(url, quote=True)}" rel="noreferrer"><code>{escape(url)}</code></a>'


def _rhythm_note(rhythm: object) -> str:
    if not isinstance(rhythm, (int, float)):
        return ""
    return (
        "<p>Few anchors are shared: the pair was decided by its sentence lengths, which follow "
        f"each other in order {float(rhythm):.1f} standard deviations above the same lengths "
        "shuffled (a translation keeps its original's sentences).</p>"
    )


def match_html(session: Session, match_id: int) -> str | None:
    """The evidence page of one match, or None if there is no such match."""
    match = session.get(Match, match_id)
    if match is None:
        return None
    copy, original = session.get(Article, match.copy_id), session.get(Article, match.original_id)
    copy_site, original_site = session.get(Site, copy.site_id), session.get(Site, original.site_id)
    evidence: dict[str, Any] = match.evidence or {}
    anchors = "".join(
        f'<span class="anchor">{escape(str(a))}</span>' for a in evidence.get("anchors", [])
    )
    passages = "".join(
        f"<tr><td>{escape(str(o))}</td><td>{escape(str(c))}</td></tr>"
        for o, c in evidence.get("passages", [])
    )
    summary = (
        f"<p>{escape(copy_site.name)} republishes an article of {escape(original_site.name)} "
        f"as a <b>{escape(match.kind)}</b> copy (score {match.score:.3f}, detected "
        f"{_when(match.detected_at)}). "
        + (
            "The copy links to the original."
            if match.attributed
            else "The copy does not link to the original."
        )
        + "</p>"
        + _rhythm_note(evidence.get("rhythm"))
    )
    body = (
        f"<h1>Match {match.id}: copy of {escape(original.title or original.url)}</h1>{summary}"
        + _article_rows("Original", original, original_site)
        + _article_rows("Copy", copy, copy_site)
        + f"<h2>Shared anchors</h2><p>{anchors or 'none recorded'}</p>"
        + "<h2>Aligned passages</h2><table><tr><th>Original</th><th>Copy</th></tr>"
        + (passages or '<tr><td colspan="2">none recorded</td></tr>')
        + "</table>"
    )
    return _page(f"syndetect match {match.id}", body)


def warc_records(session: Session, match_id: int) -> list[tuple[str, int]]:
    """(WARC file, offset) of the original's and the copy's archived responses, where crawled."""
    match = session.get(Match, match_id)
    if match is None:
        return []
    articles = (session.get(Article, match.original_id), session.get(Article, match.copy_id))
    return [(a.warc_file, a.warc_offset) for a in articles if a.warc_file is not None]


def report_html(session: Session, rows: list[dict]) -> str:
    """The site report with a chart of copies detected per site over time (inline SVG)."""
    columns = ["site", "role", "articles", "copies", "copy_share", "original_sites", "syndicator"]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body_rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    chart = _copies_chart(session)
    return _page(
        "syndetect site report",
        f"<h1>Site report</h1><table><tr>{head}</tr>{body_rows}</table>"
        f"<h2>Copies detected per site over time</h2>{chart}",
    )


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#30638e", "#6a4c93", "#8ac926"]


def _copies_chart(session: Session, width: int = 720, height: int = 260) -> str:
    """Cumulative copies per copying site by day of detection, as SVG polylines."""
    query = (
        select(Site.name, Match.detected_at)
        .join(Article, Article.id == Match.copy_id)
        .join(Site, Site.id == Article.site_id)
        .where(Match.relation == "original")
        .order_by(Match.detected_at)
    )
    series: dict[str, list[datetime]] = defaultdict(list)
    for name, detected in session.execute(query):
        series[name].append(detected)
    if not series:
        return "<p>No copies detected yet.</p>"
    start = min(t[0] for t in series.values())
    end = max(t[-1] for t in series.values())
    span = max((end - start).total_seconds(), 1.0)
    top = max(len(t) for t in series.values())
    pad = 30
    lines, legend = [], []
    for index, (name, times) in enumerate(sorted(series.items())):
        color = PALETTE[index % len(PALETTE)]
        points = " ".join(
            f"{pad + (t - start).total_seconds() / span * (width - 2 * pad):.1f},"
            f"{height - pad - (n + 1) / top * (height - 2 * pad):.1f}"
            for n, t in enumerate(times)
        )
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        legend.append(f'<span style="color:{color}">■ {escape(name)} ({len(times)})</span>')
    axis = (
        f'<text x="{pad}" y="{height - 8}" font-size="11">{escape(_when(start))}</text>'
        f'<text x="{width - pad}" y="{height - 8}" font-size="11" text-anchor="end">'
        f"{escape(_when(end))}</text>"
        f'<text x="4" y="{pad}" font-size="11">{top}</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="copies per site over time">{"".join(lines)}{axis}</svg>'
    )
    return svg + "<p>" + " ".join(legend) + "</p>"
