"""The report's charts, drawn by matplotlib and inlined as SVG: the page needs no script and no
network to show them (docs/architecture.md, "The analyst's report")."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import matplotlib

matplotlib.use("Agg")  # no display: the charts only ever go to SVG

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Text stays text (searchable, small) and ids are stable, so the same data draws the same page.
matplotlib.rcParams.update(
    {"svg.fonttype": "none", "svg.hashsalt": "syndetect", "font.size": 9, "figure.dpi": 96}
)


@dataclass(frozen=True)
class ChartLimits:
    """How much a chart draws before it would stop being readable."""

    series: int = 8  # syndicators drawn by name; the rest are summed as one line
    edges: int = 40  # largest copy links drawn in the graph; every link is in the table


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def weekly_copies(series: dict[str, Counter], limits: ChartLimits = ChartLimits()) -> str | None:
    """Copies per week, one line per syndicator (markers, so a single week still shows)."""
    series = {name: weeks for name, weeks in series.items() if weeks}
    if not series:
        return None
    ranked = sorted(series, key=lambda name: (-sum(series[name].values()), name))
    named, rest = ranked[: limits.series], ranked[limits.series :]
    lines = [(name, series[name]) for name in named]
    if rest:
        others: Counter = Counter()
        for name in rest:
            others.update(series[name])
        lines.append((f"{len(rest)} other syndicators", others))
    all_weeks = sorted({week for _, weeks in lines for week in weeks})
    first, last = all_weeks[0], all_weeks[-1]
    figure, axes = plt.subplots(figsize=(8.5, 3.4))
    for name, weeks in lines:
        # Weeks without copies are drawn as zero, not skipped: a gap is a finding too.
        days = _weeks_between(first, last) if len(all_weeks) < 400 else sorted(weeks)
        axes.plot(
            days,
            [weeks.get(d, 0) for d in days],
            marker="o",
            markersize=4,
            linewidth=1.5,
            label=f"{name} ({sum(weeks.values())})",
        )
    margin = timedelta(days=7) if first == last else (last - first) * 0.03
    axes.set_xlim(first - margin, last + margin)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_ylabel("copies that week")
    axes.set_xlabel("week the copy was published (first seen, when undated)")
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(figure)


def _weeks_between(first: datetime, last: datetime) -> list[datetime]:
    weeks, day = [], first
    while day <= last:
        weeks.append(day)
        day += timedelta(days=7)
    return weeks


def who_copies_whom(edges: Counter, limits: ChartLimits = ChartLimits()) -> str | None:
    """Originals' sites on the left, copying sites on the right, a line per link as wide as its
    number of copies."""
    drawn = sorted(edges.items(), key=lambda item: (-item[1], item[0]))[: limits.edges]
    if not drawn:
        return None
    sources = _ordered({s for (s, _), _ in drawn}, drawn, side=0)
    farms = _ordered({f for (_, f), _ in drawn}, drawn, side=1)
    rows = max(len(sources), len(farms))
    y_source = {name: _spread(i, len(sources), rows) for i, name in enumerate(sources)}
    y_farm = {name: _spread(i, len(farms), rows) for i, name in enumerate(farms)}
    top = max(n for _, n in drawn)
    figure, axes = plt.subplots(figsize=(8.5, max(1.6, 0.32 * rows + 0.8)))
    for (source, farm), n in drawn:
        y0, y1 = y_source[source], y_farm[farm]
        axes.plot([0, 1], [y0, y1], color="#1b6ca8", alpha=0.55, linewidth=1 + 9 * n / top)
        axes.text(
            0.82,
            y0 + (y1 - y0) * 0.82,
            str(n),
            fontsize=8,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    for name, y in y_source.items():
        axes.text(-0.04, y, name, ha="right", va="center")
    for name, y in y_farm.items():
        axes.text(1.04, y, name, ha="left", va="center")
    axes.text(-0.02, rows, "originals' sites", ha="right", va="bottom", weight="bold")
    axes.text(1.02, rows, "copying sites", ha="left", va="bottom", weight="bold")
    axes.set_xlim(-0.6, 1.6)
    axes.set_ylim(-1, rows + 0.6)
    axes.axis("off")
    return _svg(figure)


def _ordered(names: set[str], drawn: list, side: int) -> list[str]:
    """Largest first, so the thickest links are at the top."""
    weight: Counter = Counter()
    for pair, n in drawn:
        weight[pair[side]] += n
    return sorted(names, key=lambda name: (-weight[name], name))


def _spread(index: int, count: int, rows: int) -> float:
    """Top-down positions, the shorter column centred against the longer."""
    return rows - 1 - index - (rows - count) / 2
