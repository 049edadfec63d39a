"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.page_memory import RobotsAnswer
from crawler.urls import netloc, same_site_netloc


class SiteBoundaryMiddleware:
    """Drops any request that would leave its site's hosts, redirects included.

    The spider only follows in-site links, but a server can redirect anywhere: to another site
    (whose page must not be stored as this site's) or into a private network (SSRF). Both end
    here with a log line. Requests the spider did not make (Scrapy's robots.txt fetches, and
    their redirects and meta refreshes) carry no site: they must stay on one of the configured
    sites.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBoundaryMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = request.cb_kwargs.get("site")
        host = netloc(request.url)
        if site is not None:
            if same_site_netloc(host, site.netlocs):
                return
            name = site.name
        else:
            sites = getattr(self.crawler.spider, "sites", ())
            if any(same_site_netloc(host, each.netlocs) for each in sites):
                return
            name = "any configured site"
        self.crawler.stats.inc_value("syndetect/offsite_blocked")
        self.crawler.spider.logger.warning(
            "blocked request outside %s: %s (redirected from %s)",
            f"site {name!r}" if site is not None else name,
            request.url,
            (request.meta.get("redirect_urls") or ["-"])[0],
        )
        raise IgnoreRequest(f"outside {name}: {request.url}")


class RetryAfterMiddleware:
    """Honours Retry-After on 429 and 503: the host gets no request before the time it asked
    for (capped by SYNDETECT_MAX_RETRY_AFTER seconds); RetryMiddleware then retries the page.

    Sits above RetryMiddleware (550) so it sees the response first.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("SYNDETECT_MAX_RETRY_AFTER")
        self.not_before: dict[str, float] = {}
        self.waiting = 0
        crawler.signals.connect(self.keep_open, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def keep_open(self) -> None:
        # Waiting requests are out of the downloader's count, so the engine would find the
        # spider idle and close it with them still due.
        if self.waiting:
            raise DontCloseSpider

    async def process_request(self, request: Request) -> None:
        host = netloc(request.url)
        if self.not_before.get(host, 0.0) <= time.monotonic():
            return
        # A request waiting here counts against the downloader's global CONCURRENT_REQUESTS:
        # one site asking for two minutes would hold every slot and stall every other site.
        # It steps out of that count while it waits (Scrapy takes it out again when done).
        active = self.crawler.engine.downloader.active
        active.discard(request)
        self.waiting += 1
        try:
            while (wait := self.not_before.get(host, 0.0) - time.monotonic()) > 0:
                await asyncio.sleep(wait)
        finally:
            self.waiting -= 1
            active.add(request)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (429, 503):
            delay = retry_after_seconds(response.headers.get("Retry-After"))
            if delay is not None:
                delay = min(delay, self.cap)
                host = netloc(request.url)
                self.not_before[host] = max(
                    self.not_before.get(host, 0.0), time.monotonic() + delay
                )
                self.crawler.spider.logger.warning(
                    "%s answered %d: waiting %.0fs before the next request to %s",
                    request.url,
                    response.status,
                    delay,
                    host,
                )
        return response


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RobotsCacheMiddleware:
    """Answers robots.txt requests from the spider's RobotsMemory when it has the file: stored
    by a crawl less than SYNDETECT_ROBOTS_MAX_AGE ago, or fetched in this one (Scrapy's own
    robots.txt check and the spider's sitemap discovery both ask). Sits above RedirectMiddleware
    (600) so it sees a redirect or a 5xx before they are followed or retried: those answers are
    not kept, and whoever waited for them fetches the file itself."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCacheMiddleware:
        return cls(crawler)

    def _memory(self, request: Request):
        if urlparse_cached(request).path != "/robots.txt":
            return None
        return getattr(self.crawler.spider, "robots", None)

    async def process_request(self, request: Request) -> Response | None:
        memory = self._memory(request)
        if memory is None:
            return None
        try:
            answer = await asyncio.wait_for(memory.wait(request.url), self.timeout)
        except TimeoutError:
            answer = None
        if answer is None:
            return None
        return Response(
            request.url, status=answer.status, body=answer.body, request=request, flags=["cached"]
        )

    def process_response(self, request: Request, response: Response) -> Response:
        memory = self._memory(request)
        if memory is not None and "cached" not in response.flags:
            status = response.status
            kept = 200 <= status < 300 or 400 <= status < 500
            memory.answered(request.url, RobotsAnswer(status, response.body) if kept else None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        memory = self._memory(request)
        if memory is not None:
            memory.answered(request.url, None)
