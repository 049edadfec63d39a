"""Formats for reports and exports: table, JSON, JSON lines, CSV, and the HTML report
(written by crawler/report).

CSV cells that a spreadsheet would run as a formula (=, +, -, @ at the start) are prefixed with
an apostrophe: page-derived text (titles, URLs) must never execute in an analyst's spreadsheet.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def csv_cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, list):
        value = ";".join(map(str, value))
    # Spreadsheets skip leading spaces and line breaks, and some read a full-width ＝ as =.
    if isinstance(value, str) and (
        value.startswith(FORMULA_START)
        or unicodedata.normalize("NFKC", value.lstrip()[:1]).startswith(FORMULA_START)
    ):
        return "'" + value
    return value


def write_json(rows: Sequence[dict], out: TextIO) -> None:
    json.dump(list(rows), out, ensure_ascii=False, indent=2, default=_json_default)
    out.write("\n")


def write_jsonl(rows: Iterable[dict], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")


def write_csv(rows: Iterable[dict], out: TextIO, columns: Sequence[str] | None = None) -> None:
    """CSV with a header; given `columns`, the header is written even when there is no row."""
    writer = None
    if columns is not None:
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow({key: csv_cell(value) for key, value in row.items()})


def verdict(row: dict[str, Any]) -> str:
    """A `site_report` row's syndicator verdict in words. NULL is a site no crawl fetched
    anything from and no article was ingested for: "not seen", never "no"."""
    if row["syndicator"] is None:
        return "not seen"
    return "yes" if row["syndicator"] else "no"


def write_table(rows: Sequence[dict], columns: Sequence[str], out: TextIO) -> None:
    """A fixed-width text table of `columns`."""
    cells = [[_table_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _table_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def write_html(
    session: Session, out: str | None, stream: TextIO, site: str | None = None
) -> list[Path]:
    """The analyst's report: on `stream` when `out` is None, else the page `out` (*.html) or the
    directory `out`, with evidence pages. Returns the files written, main page first."""
    from crawler.report.writer import write_report  # matplotlib loads only for this format

    return write_report(session, Path(out) if out else None, stream, site=site)
