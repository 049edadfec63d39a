import io
from datetime import datetime

from crawler.output import csv_cell, write_csv, write_jsonl, write_table


def test_csv_neutralizes_formulas():
    for dangerous in ("=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)"):
        assert csv_cell(dangerous) == "'" + dangerous
    assert csv_cell("plain") == "plain"
    assert csv_cell(3) == 3


def test_writers_round_trip_fields():
    rows = [{"site": "a", "when": datetime(2026, 3, 1, 8), "syndicator": True, "sites": ["x", "y"]}]
    out = io.StringIO()
    write_csv(rows, out)
    assert out.getvalue().splitlines() == [
        "site,when,syndicator,sites",
        "a,2026-03-01 08:00:00,True,x;y",
    ]
    out = io.StringIO()
    write_jsonl(rows, out)
    assert '"when": "2026-03-01T08:00:00"' in out.getvalue()
    out = io.StringIO()
    write_table(rows, ["site", "syndicator"], out)
    assert out.getvalue().splitlines()[2].split() == ["a", "yes"]
