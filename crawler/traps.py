"""Crawl-trap guard: stops a site's crawl from drowning in generated URLs.

Infinite calendars, ever-growing query strings and faceted listings produce endless pages of
one shape that lead nowhere new. A URL's shape is its path with digit runs replaced (plus a
mark when it has a query). A shape proves itself productive when one of its pages is an
article, or first links to a URL whose shape is productive (a paginated archive leads to
articles; the home page to sections that lead to articles): proof flows back from articles
along the links. Merely linking a URL of another shape proves nothing: a calendar's month pages
also link their `?ical=1` export. An unproven shape gets PAGES_BEFORE_PROOF requests; further
URLs of that shape wait until the shape proves itself (then they are released) or its pages
are all done without proof (then they are dropped as a trap, with one log line).
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
        # shape → the shapes of the pages that first linked a URL of it
        self.linked_from: defaultdict[tuple[str, str], set[str]] = defaultdict(set)

    def observe(self, site: str, url: str, is_article: bool) -> None:
        """What extraction made of a fetched page (or a stored article met again): an article
        proves its shape, and the shapes that led to it."""
        if is_article:
            self._prove(site, shape(url))

    def found(self, site: str, url: str, source: str | None) -> None:
        """Page `source` links to `url`, seen for the first time (even if it need not be fetched:
        a listing that leads to stored articles is still a real listing)."""
        if source is None:
            return
        target, origin = shape(url), shape(source)
        if origin == target:
            return
        self.linked_from[(site, target)].add(origin)
        if (site, target) in self.productive:
            self._prove(site, origin)

    def _prove(self, site: str, first: str) -> None:
        pending = [first]
        while pending:
            key = (site, pending.pop())
            if key not in self.productive:
                self.productive.add(key)
                pending.extend(self.linked_from.get(key, ()))

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
