"""Dates as pages, sitemaps and feeds write them → naive UTC datetimes (the database's form)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 (sitemaps, meta tags, JSON-LD) or RFC 2822 (RSS); None when absent or
    unreadable — a bad date is never an error, only a missing hint."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
