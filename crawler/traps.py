"""Crawl-trap guard: stops a site's crawl from drowning in generated URLs.

Infinite calendars, ever-growing query strings and faceted listings produce endless pages of
one shape that lead nowhere new. A URL's shape is its path with digit runs replaced (plus a
mark when it has a query). A shape proves itself productive when one of its pages is an
article or links to a URL of another shape (a paginated archive leads to articles). An
unproven shape gets PAGES_BEFORE_PROOF requests; further URLs of that shape wait until the
shape proves itself (then they are released) or its pages are all done without proof (then
they are dropped as a trap, with one log line).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

DIGITS = re.compile(r"\d+")
PAGES_BEFORE_PROOF = 40


def shape(url: str) -> str:
    parts = urlsplit(url)
    return DIGITS.sub("N", parts.path) + ("?" if parts.query else "")


class TrapGuard:
    def __init__(self) -> None:
        self.scheduled: Counter[tuple[str, str]] = Counter()
        self.productive: set[tuple[str, str]] = set()
        self.held: defaultdict[tuple[str, str], list[Any]] = defaultdict(list)

    def observe(self, site: str, url: str, is_article: bool) -> None:
        """What extraction made of a fetched page: an article proves its shape."""
        if is_article:
            self.productive.add((site, shape(url)))

    def found(self, site: str, url: str, source: str | None) -> None:
        """Page `source` links to `url`, seen for the first time (even if it need not be fetched:
        a listing that leads to stored articles is still a real listing)."""
        if source is not None and shape(source) != shape(url):
            self.productive.add((site, shape(source)))

    def admit(self, site: str, url: str) -> bool:
        """Whether `url` may be requested now; False means: hold it."""
        key = (site, shape(url))
        if key in self.productive or self.scheduled[key] < PAGES_BEFORE_PROOF:
            self.scheduled[key] += 1
            return True
        return False

    def hold(self, site: str, url: str, request: Any) -> None:
        self.held[(site, shape(url))].append(request)

    def release(self) -> list[Any]:
        """Held requests whose shape has proved productive since."""
        ready = [key for key in self.held if key in self.productive]
        released = []
        for key in ready:
            requests = self.held.pop(key)
            self.scheduled[key] += len(requests)
            released.extend(requests)
        return released

    def drop_unproven(self) -> list[tuple[str, str, int, int]]:
        """When the crawl has nothing else to do, held shapes that never proved themselves are
        traps: (site, shape, pages fetched, URLs dropped) for each."""
        traps = [
            (site, shp, self.scheduled[(site, shp)], len(reqs))
            for (site, shp), reqs in self.held.items()
        ]
        self.held.clear()
        return traps
