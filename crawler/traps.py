"""Crawl-trap guard: stops a site's crawl from drowning in generated URLs.

Infinite calendars, ever-growing query strings and faceted listings produce endless pages of one
shape that lead nowhere new. Each URL has a shape (its path with digit runs replaced, plus its
query keys). A shape stays open while its pages are articles or lead to URLs of other shapes
(a paginated archive leads to articles); once it has had many pages that did neither, no more
URLs of that shape are requested.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

DIGITS = re.compile(r"\d+")
UNPRODUCTIVE_PAGES_PER_SHAPE = 40


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return DIGITS.sub("N", parts.path) + ("?" + "&".join(keys) if keys else "")


class TrapGuard:
    def __init__(self) -> None:
        self.non_articles: Counter[tuple[str, str]] = Counter()
        self.productive: Counter[tuple[str, str]] = Counter()
        self.reported: set[tuple[str, str]] = set()

    def observe(self, site: str, url: str, is_article: bool) -> None:
        """What extraction made of a fetched page: an article makes its shape productive."""
        key = (site, shape(url))
        if is_article:
            self.productive[key] += 1
        else:
            self.non_articles[key] += 1

    def allows(self, site: str, url: str) -> str | None:
        """None when `url` may be requested, else why it looks like a trap."""
        key = (site, shape(url))
        pages = self.non_articles[key]
        if self.productive[key] == 0 and pages >= UNPRODUCTIVE_PAGES_PER_SHAPE:
            return f"{pages} pages shaped {key[1]!r} led to no article and no new page"
        return None

    def scheduled_from(self, site: str, url: str, source: str | None) -> None:
        """`url` is about to be requested, found on page `source` (None: a start URL): a page
        that leads to a URL of another shape is not a trap."""
        if source is not None and shape(source) != shape(url):
            self.productive[(site, shape(source))] += 1

    def first_report(self, site: str, url: str) -> bool:
        """True the first time a shape is refused, so each trap is logged once."""
        key = (site, shape(url))
        if key in self.reported:
            return False
        self.reported.add(key)
        return True
