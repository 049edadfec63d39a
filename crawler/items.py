"""What the spider hands the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(repr=False)
class PageItem:
    """An HTML page fetched from a site, decoded, waiting for extraction."""

    site: str
    url: str
    html: str
    etag: str | None = None
    last_modified: str | None = None
    # The raw response, for the WARC archive.
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    fetched_at: datetime | None = None
    # Identifiers and off-site links read from the markup (crawler.identifiers.PageMarkup).
    markup: Any = None

    def __repr__(self) -> str:
        # Scrapy logs items (on errors, on shutdown): a 10 MB page must not be the log line.
        return f"PageItem(site={self.site!r}, url={self.url!r}, {len(self.body)} bytes)"


@dataclass
class GoneItem:
    """A page that answered 404/410: a stored article there is marked gone, never deleted."""

    site: str
    url: str
    status: int = 404


@dataclass
class UnchangedItem:
    """A stored article that answered 304 Not Modified."""

    site: str
    url: str
