"""Crawl bookkeeping: per-site page and error counts (for crawl_runs) and a progress line."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response


def _site_of(request: Request) -> str | None:
    site = request.cb_kwargs.get("site")
    return getattr(site, "name", None)


class CrawlProgress:
    """Counts pages and errors per site into the stats; prints progress to stderr unless
    SYNDETECT_PROGRESS is off (`--quiet`)."""

    INTERVAL = 2.0

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.show = crawler.settings.getbool("SYNDETECT_PROGRESS", True)
        self.pages = 0
        self.extracted = 0  # pages whose text was extracted (articles or not)
        self.articles = 0  # of those, articles (stored)
        self.kept = 0  # pages that answered 304 (unchanged) or 404/410 (gone)
        self.last = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        extension = cls(crawler)
        crawler.signals.connect(extension.response_received, signals.response_received)
        crawler.signals.connect(extension.error, signals.spider_error)
        crawler.signals.connect(extension.item_scraped, signals.item_scraped)
        crawler.signals.connect(extension.closed, signals.spider_closed)
        return extension

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        site = _site_of(request)
        if site is not None:
            self.pages += 1
            self.stats.inc_value(f"syndetect/pages/{site}")
            self._tick()

    def error(self, failure: Any, response: Response, spider: Spider) -> None:
        site = _site_of(response.request) if response.request else None
        if site is not None:
            self.stats.inc_value(f"syndetect/errors/{site}")

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        if isinstance(item, tuple):  # (PageItem, Extracted), as the pipelines pass it on
            self.extracted += 1
            self.articles += bool(item[1].is_article)
        else:  # GoneItem, UnchangedItem
            self.kept += 1

    def closed(self, spider: Spider, reason: str) -> None:
        spider.close_reason = reason
        self._print()

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.INTERVAL:
            self.last = now
            self._print()

    def _print(self) -> None:
        if self.show:
            print(
                f"crawl: {self.pages} pages fetched, {self.extracted} extracted "
                f"({self.articles} articles), {self.kept} unchanged (304) or gone (404/410)",
                file=sys.stderr,
            )
