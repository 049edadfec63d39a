"""What the analyst's report shows, computed in one pass over the matches: per-site figures the
`site_report` view does not carry (lag, link-back share, languages copied into), copies per week,
who copies whom, and each site's copies and siblings."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from db.queries import site_report
from db.report_queries import LastRun, MatchRow, Side, as_datetime, last_runs, match_rows, totals


@dataclass
class CopyFigures:
    """A copying site's figures gathered from its copies."""

    copy_articles: set[int] = field(default_factory=set)
    attributed_articles: set[int] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    lags: list[float] = field(default_factory=list)  # hours, copy published - original published
    weeks: Counter = field(default_factory=Counter)  # Monday of the copy's week -> copies
    originals: Counter = field(default_factory=Counter)  # originals' site -> copies of it

    def lag_summary(self) -> dict[str, Any] | None:
        if not self.lags:
            return None
        return {
            "median": statistics.median(self.lags),
            "low": min(self.lags),
            "high": max(self.lags),
            "dated": len(self.lags),
        }

    @property
    def link_back_share(self) -> float | None:
        if not self.copy_articles:
            return None
        return len(self.attributed_articles) / len(self.copy_articles)


@dataclass
class ReportData:
    totals: dict[str, Any]
    sites: list[dict[str, Any]]  # the site_report rows (crawl outcome included), extended
    runs: dict[str, LastRun]  # site -> when its latest crawl ran
    figures: dict[str, CopyFigures]
    edges: Counter  # (original site, copying site) -> copies
    copies: dict[str, list[MatchRow]]  # copying site -> its copies, oldest detection first
    siblings: dict[str, list[MatchRow]]  # site -> sibling matches it takes part in
    generated: datetime
    originals_of: dict[int, list[Side]]  # copy article id -> the originals it republishes

    def common_originals(self, rows: list[MatchRow]) -> dict[tuple[int, int], Side]:
        """(copy id, sibling copy id) -> the original both republish, from the copies read."""
        found = {}
        for row in rows:
            theirs = {side.id for side in self.originals_of.get(row.original.id, ())}
            for side in self.originals_of.get(row.copy.id, ()):
                if side.id in theirs:
                    found[(row.copy.id, row.original.id)] = side
                    break
        return found


def week_of(row: MatchRow) -> datetime:
    """The Monday of the week a copy appeared: its publication date, or when the crawler first
    saw it when the page gave no date."""
    when = row.copy.published or row.copy.first_seen or row.detected_at
    day = datetime(when.year, when.month, when.day)
    return day - timedelta(days=day.weekday())


def _lag_hours(row: MatchRow) -> float | None:
    if row.copy.published is None or row.original.published is None:
        return None
    return (row.copy.published - row.original.published).total_seconds() / 3600


def collect(session: Session, generated: datetime, site: str | None = None) -> ReportData:
    figures: dict[str, CopyFigures] = defaultdict(CopyFigures)
    edges: Counter = Counter()
    copies: dict[str, list[MatchRow]] = defaultdict(list)
    siblings: dict[str, list[MatchRow]] = defaultdict(list)
    originals_of: dict[int, list[Side]] = defaultdict(list)
    for row in match_rows(session, site=site):
        if row.relation != "original":
            siblings[row.copy.site].append(row)
            if row.original.site != row.copy.site:
                siblings[row.original.site].append(row)
            continue
        copies[row.copy.site].append(row)
        originals_of[row.copy.id].append(row.original)
        edges[(row.original.site, row.copy.site)] += 1
        fig = figures[row.copy.site]
        fig.copy_articles.add(row.copy.id)
        if row.attributed:
            fig.attributed_articles.add(row.copy.id)
        if row.copy.lang:
            fig.languages.add(row.copy.lang)
        lag = _lag_hours(row)
        if lag is not None:
            fig.lags.append(lag)
        fig.weeks[week_of(row)] += 1
        fig.originals[row.original.site] += 1
    sites = site_report(session)
    if site is not None:
        sites = [r for r in sites if r["site"] == site]
    for row in sites:
        for key in ("first_detection", "last_detection", "last_success"):
            row[key] = as_datetime(row[key])
    for rows in copies.values():
        rows.sort(key=lambda r: (r.detected_at, r.id))
    return ReportData(
        totals=totals(session),
        sites=sites,
        runs=last_runs(session),
        figures=dict(figures),
        edges=edges,
        copies=dict(copies),
        siblings=dict(siblings),
        generated=generated,
        originals_of=dict(originals_of),
    )
