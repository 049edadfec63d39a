"""Each site's crawl outcome: finished, partial, failed or interrupted, with a one-line reason.

A site that could not be reached must never read as a clean one, so the downloader's view of
every site's requests (answers, 5xx, network errors, robots.txt refusals) is tallied here and,
when the spider closes, written onto the site's crawl_runs row after the store pipeline has
finished it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

# Close reasons Scrapy gives a crawl stopped by a signal (ours: crawler.crawl.stop_on_signal).
INTERRUPTED_REASONS = ("shutdown", "interrupted")
SEEN = ("finished", "partial")

# Exception class names (Scrapy's, Twisted's, OpenSSL's) to the words a user understands.
_NETWORK_PROBLEMS = (
    ("DNSLookup", "DNS lookup failed"),
    ("CannotResolveHost", "DNS lookup failed"),
    ("ConnectionRefused", "connection refused"),
    ("Timeout", "timed out"),
    ("TimedOut", "timed out"),
    ("SSL", "TLS handshake failed"),
    ("TLS", "TLS handshake failed"),
    ("ConnectionLost", "connection lost"),
    ("ResponseNeverReceived", "no response"),
    ("DataLoss", "response cut short"),
)


def describe_failure(exc: BaseException) -> str:
    """A network exception in a few words: 'connection refused', 'DNS lookup failed'…"""
    name = type(exc).__name__
    for marker, words in _NETWORK_PROBLEMS:
        if marker in name:
            return words
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    for marker, words in _NETWORK_PROBLEMS:  # Scrapy wraps some (ResponseNeverReceived[SSL…])
        if marker in detail:
            return words
    return f"{name}: {detail}" if detail else name


@dataclass
class SiteTally:
    """What the downloader saw of one site's requests, after retries."""

    answered: int = 0  # any response below 500 (404 and 304 are answers too)
    server_errors: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    robots_forbidden: int = 0


def classify(
    tally: SiteTally, close_reason: str, start_url: str, budget: int | None = None
) -> tuple[str, str | None]:
    """(status, reason) of one site's crawl. `budget` is the page budget when it was reached."""
    if close_reason in INTERRUPTED_REASONS:
        return "interrupted", "stopped by a signal before the crawl finished"
    if tally.answered == 0:
        return "failed", _nothing_fetched(tally, start_url)
    # Partial: something cut the crawl short (Scrapy's CLOSESPIDER_* limits, a page budget).
    # Pages lost on the way are noted either way, but alone they do not make it partial.
    cut_short = []
    if close_reason != "finished":
        cut_short.append(f"crawl stopped early ({close_reason})")
    if budget is not None:
        cut_short.append(f"page budget of {budget} reached")
    lost = sum(tally.failures.values()) + sum(tally.server_errors.values())
    pages = "page" if lost == 1 else "pages"
    notes = [f"{lost} {pages} not fetched ({_commonest(tally)})"] if lost else []
    return ("partial" if cut_short else "finished"), "; ".join(cut_short + notes) or None


def _nothing_fetched(tally: SiteTally, start_url: str) -> str:
    where = f" ({start_url})"
    if tally.failures:
        return f"nothing fetched: {_commonest(tally)}{where}"
    if tally.server_errors:
        codes = ", ".join(str(code) for code in sorted(tally.server_errors))
        return f"nothing fetched: every page answered HTTP {codes}{where}"
    if tally.robots_forbidden:
        return f"nothing fetched: robots.txt forbids every page{where}"
    return "nothing fetched: no page was requested"


def _commonest(tally: SiteTally) -> str:
    problems = Counter(tally.failures)
    for code, count in tally.server_errors.items():
        problems[f"HTTP {code}"] += count
    return problems.most_common(1)[0][0]


class SiteOutcomes:
    """Downloader middleware (below the retry middleware, so it sees final results only) that
    tallies each site's requests, and records every site's outcome when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.tallies: dict[str, SiteTally] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOutcomes:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signals.spider_closed)
        return middleware

    def _tally(self, request: Request) -> SiteTally | None:
        """The tally of a page request's site. Discovery (robots.txt, sitemaps, feeds) is best
        effort: a site is seen when its pages answer, not its sitemap."""
        site = request.cb_kwargs.get("site")
        if site is None or getattr(request.callback, "__name__", None) != "parse_page":
            return None
        return self.tallies.setdefault(site.name, SiteTally())

    def process_response(self, request: Request, response: Response) -> Response:
        tally = self._tally(request)
        if tally is not None:
            if response.status >= 500:
                tally.server_errors[response.status] += 1
            else:
                tally.answered += 1
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        tally = self._tally(request)
        if tally is None:
            return
        if isinstance(exception, IgnoreRequest):
            if "robots.txt" in str(exception):
                tally.robots_forbidden += 1
            return  # off-site or filtered: not a failure of the site
        tally.failures[describe_failure(exception)] += 1

    def outcomes(self, close_reason: str) -> dict[str, tuple[str, str | None]]:
        spider = self.crawler.spider
        reached = getattr(spider, "budget_reported", set())
        result = {}
        for site in spider.sites:
            budget = site.max_pages if site.name in reached else None
            result[site.name] = classify(
                self.tallies.get(site.name, SiteTally()), close_reason, site.start_urls[0], budget
            )
        return result

    def spider_closed(self, spider: Any, reason: str) -> None:
        outcomes = self.outcomes(reason)
        stats = self.crawler.stats
        for name, (status, why) in outcomes.items():
            stats.set_value(f"syndetect/outcome/{name}", status)
            stats.set_value(f"syndetect/outcome_reason/{name}", why)
        _record(self.crawler, outcomes)


def _record(crawler: Crawler, outcomes: dict[str, tuple[str, str | None]]) -> None:
    """Write the outcomes onto the runs the store pipeline opened (and has just finished)."""
    from crawler.pipelines import StorePipeline
    from db.models import CrawlRun

    pipeline = next(
        (p for p in crawler.engine.scraper.itemproc.middlewares if isinstance(p, StorePipeline)),
        None,
    )
    if pipeline is None or pipeline.failed or not pipeline.runs:
        return  # no database, or it failed: the crawl reports that error itself
    with pipeline.sessions() as session:
        for name, run in pipeline.runs.items():
            status, reason = outcomes.get(name, ("finished", None))
            row = session.get(CrawlRun, run.id)
            if row is not None and row.status != "running":
                row.status, row.reason = status, reason
        session.commit()
