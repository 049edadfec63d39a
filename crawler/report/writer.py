"""Write the analyst's report: one page, or a directory with index.html, per-site pages when
the copies are too many for one page, and an evidence page per match."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.errors import UserError
from crawler.evidence import EvidenceJob, EvidenceParams
from crawler.output import verdict
from crawler.report import charts
from crawler.report.data import CopyFigures, ReportData, collect
from crawler.report.pages import day, environment, when
from db.models import Site, utcnow
from db.networks import networks
from db.report_queries import LastRun, MatchRow, common_originals, markup_recorded


@dataclass(frozen=True)
class ReportLayout:
    """When the report splits into pages, so the index opens fast whatever the database holds."""

    inline_copies: int = 2000  # more copies than this: each site's copies on its own pages
    page_rows: int = 1000  # copies per site page
    index_siblings: int = 100  # sibling matches listed on the index; the rest on site pages
    originals_named: int = 5  # originals' sites named per syndicator row, most copied first
    # Rows of the sites' table on the index when the report is paged, the rest on
    # sites/sites-N.html: a browser lays 1,000 rows of 13 columns out in over a second.
    index_sites: int = 250
    limits: charts.ChartLimits = charts.ChartLimits()
    evidence: EvidenceParams = EvidenceParams()


@dataclass(frozen=True)
class Links:
    """Relative links from one page: `prefix` leads from the page to the report's directory."""

    prefix: str = ""
    with_evidence: bool = True

    def evidence(self, match_id: int) -> str | None:
        return f"{self.prefix}evidence/match-{match_id}.html" if self.with_evidence else None

    def __bool__(self) -> bool:
        return self.with_evidence


def write_report(
    session: Session,
    target: Path | None,
    stream: TextIO,
    site: str | None = None,
    layout: ReportLayout = ReportLayout(),
) -> list[Path]:
    """The report for all sites, or only what involves `site`. `target` None: one page on
    `stream`, without evidence pages; a `.html` path: that page, evidence beside it; otherwise a
    directory. Returns the files written."""
    if site is not None and session.scalar(select(Site.id).where(Site.name == site)) is None:
        raise UserError(f"no site named {site!r} (see: syndetect report)")
    single = target is None or target.suffix.lower() in (".html", ".htm")
    page = target if single else target / "index.html"
    with _writing(target), _evidence(session, page, site, layout) as evidence:
        pages = _index(session, site, single, target, layout)
        if page is None:
            stream.write(pages.index)
            return []
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(pages.index, encoding="utf-8")
        tables = _write_site_tables(pages.site_tables, layout.index_sites, page.parent / "sites")
        written = [page, *tables]
        site_ids = dict(session.execute(select(Site.name, Site.id)).all())
        for name, rows in pages.site_pages.items():
            written += _write_site_pages(
                pages.data, name, site_ids[name], rows, pages.originals, page.parent
            )
        linked = [row.id for rows in pages.data.copies.values() for row in rows]
        evidence.finish(linked + [row.id for rows in pages.data.siblings.values() for row in rows])
    return written


@contextmanager
def _writing(target: Path | None) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise UserError(f"{exc.filename or target}: cannot write ({exc.strerror})") from None


def _evidence(session: Session, page: Path | None, site: str | None, layout: ReportLayout):
    """The report's evidence pages, begun first: workers write them while the report renders."""
    if page is None:
        return nullcontext()
    return EvidenceJob(
        session,
        page.parent / "evidence",
        back=f"../{page.name}",
        site=site,
        prune=not site,
        params=layout.evidence,
    )


@dataclass(frozen=True)
class _Pages:
    index: str
    site_tables: list[list[dict]]  # the sites' table past the index's rows, page by page
    site_pages: dict[str, list[list[MatchRow]]]  # each site's copies, page by page
    originals: dict  # the siblings' common originals
    data: ReportData


def _index(
    session: Session, site: str | None, single: bool, target: Path | None, layout: ReportLayout
) -> _Pages:
    """The index page and what the other pages show."""
    data = collect(session, utcnow(), site=site)
    paged = not single and sum(map(len, data.copies.values())) > layout.inline_copies
    links = Links(with_evidence=target is not None)
    site_ids = dict(session.execute(select(Site.name, Site.id)).all())
    siblings = _unique(row for rows in data.siblings.values() for row in rows)
    originals = _common_originals(session, data, siblings)
    sites = _site_views(data, site_ids, paged, layout, prefix="sites/")
    site_tables: list[list[dict]] = []
    if paged and len(sites) > layout.index_sites:
        here = _site_views(data, site_ids, paged, layout, prefix="")
        step = layout.index_sites
        site_tables = [here[i : i + step] for i in range(step, len(here), step)]
    site_pages: dict[str, list[list[MatchRow]]] = {}
    if paged:
        for name, rows in data.copies.items():
            site_pages[name] = [
                rows[i : i + layout.page_rows] for i in range(0, len(rows), layout.page_rows)
            ]
    index = (
        environment()
        .get_template("index.html")
        .render(
            title=f"syndetect report: {site}" if site else "syndetect report: who copies whom",
            generated=data.generated,
            **_summary(data, site),
            sites=sites[: layout.index_sites] if paged else sites,
            site_tables=1 + len(site_tables),
            sites_total=len(sites),
            weekly_chart=_markup(charts.weekly_copies(_series(data, site), layout.limits)),
            graph_chart=_markup(charts.who_copies_whom(data.edges, layout.limits)),
            edges_total=len(data.edges),
            edges_drawn=min(len(data.edges), layout.limits.edges),
            edges_hidden=len(data.edges) > layout.limits.edges,
            copying=_copying(data, site_ids, paged),
            siblings=siblings if not paged else siblings[: layout.index_siblings],
            siblings_hidden=max(0, len(siblings) - layout.index_siblings) if paged else 0,
            sibling_originals=originals,
            links=links,
            **_networks(session, site),
        )
    )
    return _Pages(index, site_tables, site_pages, originals, data)


def _markup(svg: str | None) -> Markup | None:
    # matplotlib's own output, with every label escaped by matplotlib: safe to inline.
    return Markup(svg) if svg else None


def _unique(rows) -> list[MatchRow]:
    seen: dict[int, MatchRow] = {}
    for row in rows:
        seen.setdefault(row.id, row)
    return sorted(seen.values(), key=lambda r: r.id)


def _common_originals(
    session: Session, data: ReportData, siblings: list[MatchRow]
) -> dict[tuple, Any]:
    """From the copies already read; the database only for those a --site report did not read
    (a sibling's other copy and the original are on other sites)."""
    found = data.common_originals(siblings)
    missing = [
        (r.copy.id, r.original.id) for r in siblings if (r.copy.id, r.original.id) not in found
    ]
    for start in range(0, len(missing), 1000):
        found.update(common_originals(session, missing[start : start + 1000]))
    return found


def _summary(data: ReportData, site: str | None) -> dict[str, Any]:
    totals = dict(data.totals)
    totals["sites"] = totals["sources"] + totals["suspects"]
    scope_note = None
    if site is not None:
        [row] = data.sites
        copies = sum(map(len, data.copies.values()))
        siblings = len(_unique(r for rows in data.siblings.values() for r in rows))
        totals.update(
            sites=1,
            sources=int(row["role"] == "source"),
            suspects=int(row["role"] == "suspect"),
            articles=row["articles"],
            copies=copies,
            siblings=siblings,
        )
        scope_note = f"involving {site} (as copy or original)"
    unseen = [item for row in data.sites if (item := _unseen(row, data.runs.get(row["site"])))]
    names = {row["site"] for row in data.sites}
    finished = [r.finished_at for n, r in data.runs.items() if n in names and r.finished_at]
    return {
        "totals": totals,
        "scope_note": scope_note,
        "syndicator_count": sum(1 for row in data.sites if row["syndicator"]),
        "unseen": unseen,
        "ingested": any(row["crawl_status"] == "never" for row in data.sites),
        "last_crawl": max(finished, default=None),
    }


def _networks(session: Session, site: str | None) -> dict[str, Any]:
    """The operator networks (all, or those `site` belongs to), as `syndetect networks` has them."""
    groups = networks(session)
    if site is not None:
        groups = [group for group in groups if site in group["sites"]]
    return {"networks": groups, "markup_recorded": markup_recorded(session)}


def _unseen(row: dict[str, Any], run: LastRun | None) -> dict[str, str] | None:
    """A line for a site its last crawl did not see whole (partial, interrupted, failed, or
    finished with pages lost), or that was never seen; in the words of `site_report`."""
    status, reason = row["crawl_status"], row["crawl_reason"]
    if status == "never":
        if row["syndicator"] is not None:
            return None  # ingested: its articles were seen, through the file
        text = "never crawled and no articles ingested: not seen."
        return {"site": row["site"], "status": status, "text": text}
    if status == "finished" and not reason:
        return None
    text = f"last crawl {status}"
    if run is not None:
        text += f" ({when(run.finished_at or run.started_at)})"
    text += f": {reason or 'no reason recorded'}"
    if run is not None:
        text += f" ({run.pages_fetched} pages fetched, {run.errors} errors)"
    text += "."
    if row["syndicator"] is None:
        text += " Never crawled successfully and no articles ingested: not seen."
    elif status != "finished":
        success = row["last_success"]
        text += (
            f" Last successful crawl: {when(success)}."
            if success
            else " Never crawled successfully; the figures rest on ingested articles."
        )
    return {"site": row["site"], "status": status, "text": text}


def _crawl_text(row: dict[str, Any], run: LastRun | None) -> str:
    if row["crawl_status"] == "never":
        return "ingested, not crawled" if row["articles"] else "never"
    text = row["crawl_status"] + (f" {day(run.finished_at or run.started_at)}" if run else "")
    return text + (f", {run.errors} errors" if run and run.errors else "")


def _originals_text(figures: CopyFigures, named: int) -> str:
    """The sites copied most, with their copies; a farm copying 200 sites names the first few."""
    ranked = sorted(figures.originals.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{site} ({n})" for site, n in ranked[:named])
    return text + (f" and {len(ranked) - named} more" if len(ranked) > named else "")


def _site_views(
    data: ReportData, site_ids: dict[str, int], paged: bool, layout: ReportLayout, prefix: str
) -> list[dict]:
    """The rows of the sites' table; `prefix` leads from the page to the site pages."""
    views = []
    for row in data.sites:
        figures = data.figures.get(row["site"])
        views.append(
            {
                **row,
                "verdict": verdict(row),
                "crawl": _crawl_text(row, data.runs.get(row["site"])),
                "copy_languages": sorted(figures.languages) if figures else [],
                "lag": figures.lag_summary() if figures else None,
                "link_back": figures.link_back_share if figures else None,
                "originals": _originals_text(figures, layout.originals_named) if figures else "—",
                "href": _site_href(row["site"], site_ids, paged, prefix) if figures else None,
            }
        )
    return views


def _site_href(name: str, site_ids: dict[str, int], paged: bool, prefix: str = "sites/") -> str:
    return f"{prefix}site-{site_ids[name]}.html" if paged else f"#site-{site_ids[name]}"


def _copying(data: ReportData, site_ids: dict[str, int], paged: bool) -> list[dict]:
    order = {row["site"]: n for n, row in enumerate(data.sites)}
    names = sorted(data.copies, key=lambda name: (order.get(name, len(order)), name))
    return [
        {
            "site": name,
            "id": site_ids[name],
            "count": len(data.copies[name]),
            "rows": None if paged else data.copies[name],
            "href": _site_href(name, site_ids, paged),
        }
        for name in names
    ]


def _series(data: ReportData, site: str | None) -> dict:
    if site is not None:
        return {name: fig.weeks for name, fig in data.figures.items()}
    syndicators = {row["site"] for row in data.sites if row["syndicator"]}
    return {name: fig.weeks for name, fig in data.figures.items() if name in syndicators}


def _write_site_tables(tables: list[list[dict]], shown: int, directory: Path) -> list[Path]:
    """sites/sites-2.html, sites-3.html...: the sites' table past the `shown` rows of the index."""
    template = environment().get_template("sites.html")
    total = shown + sum(map(len, tables))
    written = []
    for page, rows in enumerate(tables, start=2):
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"sites-{page}.html"
        path.write_text(
            template.render(
                sites=rows, page=page, pages=1 + len(tables), first=shown + 1, total=total
            ),
            encoding="utf-8",
        )
        written.append(path)
        shown += len(rows)
    return written


def _site_page_name(site_id: int, page: int) -> str:
    return f"site-{site_id}.html" if page == 1 else f"site-{site_id}-{page}.html"


def _write_site_pages(
    data: ReportData,
    name: str,
    site_id: int,
    pages: list[list[MatchRow]],
    originals: dict,
    root: Path,
) -> list[Path]:
    template = environment().get_template("site.html")
    directory = root / "sites"
    directory.mkdir(parents=True, exist_ok=True)
    siblings = _unique(data.siblings.get(name, []))
    written = []
    for number, rows in enumerate(pages, start=1):
        path = directory / _site_page_name(site_id, number)
        path.write_text(
            template.render(
                site=name,
                count=len(data.copies[name]),
                page=number,
                pages=len(pages),
                prev=_site_page_name(site_id, number - 1),
                next=_site_page_name(site_id, number + 1),
                rows=rows,
                siblings=siblings if number == 1 else [],
                sibling_originals=originals,
                links=Links(prefix="../"),
            ),
            encoding="utf-8",
        )
        written.append(path)
    return written
