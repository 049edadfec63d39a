"""What the crawler remembers of a site's pages that are not articles, between crawls.

A remembered page (about, contact, a category, page 7 of a listing, a broken link, a missing
/sitemap.xml) is not requested again until its site's `recheck_after` has passed, like a stored
article, with two exceptions: start URLs are fetched every crawl, and a listing is fetched again
when the page linking it shows something new (a URL unknown before this crawl), so a listing is
paged through only as far as new articles reach. robots.txt answers are reused for
SYNDETECT_ROBOTS_MAX_AGE seconds (RFC 9309 asks for at most a day).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.config import SiteConfig
from crawler.incremental import per_site
from db.models import utcnow
from db.pages import ROBOTS, KnownPage, PageAnswer, known_pages


class PageLedger:
    """Non-article answers waiting for the store pipeline. A fetched HTML page's answers (the
    page, then the URLs that redirected to it) wait under its URL until extraction says whether
    it is an article; the rest (a missing sitemap, a non-HTML page, a URL robots.txt forbids)
    are written when the crawl closes."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[PageAnswer, ...]] = {}
        self.loose: defaultdict[str, list[PageAnswer]] = defaultdict(list)

    def fetched(self, url: str, answers: tuple[PageAnswer, ...]) -> None:
        self.pages[url] = answers

    def take(self, url: str) -> tuple[PageAnswer, ...]:
        return self.pages.pop(url, ())

    def note(self, site: str, answer: PageAnswer) -> None:
        self.loose[site].append(answer)


def load_pages(db_url: str | None, sites: Iterable[SiteConfig]) -> dict[str, dict[str, KnownPage]]:
    """Remembered pages per site name."""
    return per_site(db_url, sites, known_pages)


@dataclass(frozen=True)
class RobotsAnswer:
    status: int
    body: bytes


class RobotsMemory:
    """robots.txt answers by URL: those stored by earlier crawls and still fresh, and those
    fetched in this one (which Scrapy's robots.txt check and the spider's sitemap discovery
    both ask for: the second asker waits for the first answer instead of fetching again)."""

    def __init__(self, pages: dict[str, dict[str, KnownPage]], max_age: timedelta) -> None:
        oldest = utcnow() - max_age
        self.answers: dict[str, RobotsAnswer] = {
            url: RobotsAnswer(page.status, (page.body or "").encode("utf-8"))
            for known in pages.values()
            for url, page in known.items()
            if page.kind == ROBOTS
            and page.status is not None
            and page.fetched_at is not None
            and page.fetched_at >= oldest
        }
        self.fetched: dict[str, tuple[RobotsAnswer, datetime]] = {}
        self.pending: dict[str, asyncio.Future[RobotsAnswer | None]] = {}

    async def wait(self, url: str) -> RobotsAnswer | None:
        """The answer for `url` if known or being fetched (waiting for it); None: fetch it."""
        if url in self.answers:
            return self.answers[url]
        if url in self.pending:
            return await asyncio.shield(self.pending[url])
        self.pending[url] = asyncio.get_running_loop().create_future()
        return None

    def answered(self, url: str, answer: RobotsAnswer | None) -> None:
        """`url` answered (None: it failed, or the server erred: not remembered)."""
        if answer is not None:
            self.answers[url] = answer
            self.fetched[url] = (answer, utcnow())
        future = self.pending.pop(url, None)
        if future is not None and not future.done():
            future.set_result(answer)

    def to_remember(self) -> Iterable[tuple[str, PageAnswer, datetime]]:
        for url, (answer, when) in self.fetched.items():
            text = answer.body.decode("utf-8", "replace")
            yield url, PageAnswer(url, ROBOTS, answer.status, text), when
