"""Downloader middlewares."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.urls import netloc, same_site_netloc


class SiteBoundaryMiddleware:
    """Drops any request that would leave its site's hosts, redirects included.

    The spider only follows in-site links, but a server can redirect anywhere: to another site
    (whose page must not be stored as this site's) or into a private network (SSRF). Both end
    here with a log line.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBoundaryMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = request.cb_kwargs.get("site")
        if site is None or same_site_netloc(netloc(request.url), set(site.netlocs)):
            return
        self.crawler.stats.inc_value("syndetect/offsite_blocked")
        self.crawler.spider.logger.warning(
            "blocked request outside site %r: %s (redirected from %s)",
            site.name,
            request.url,
            (request.meta.get("redirect_urls") or ["-"])[0],
        )
        raise IgnoreRequest(f"outside site {site.name}: {request.url}")
