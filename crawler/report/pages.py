"""The Jinja environment of the report and evidence pages: autoescaping on (titles, URLs and
texts come from the pages crawled, i.e. hostile input) and the filters that format figures."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "unknown"


def share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def duration(hours: float) -> str:
    """A lag in the largest unit that reads naturally: '45 min', '6 h', '3.5 days'."""
    sign = "−" if hours < 0 else ""
    hours = abs(hours)
    if hours < 1:
        return f"{sign}{hours * 60:.0f} min"
    if hours < 48:
        return f"{sign}{hours:.0f} h"
    return f"{sign}{hours / 24:.1f} days"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # A report renders 100,000 evidence pages in one process: no stat() of the templates
        # per page (each `extends` looks its parent up again).
        auto_reload=False,
    )
    env.filters.update(when=when, day=day, share=share, duration=duration)
    return env
