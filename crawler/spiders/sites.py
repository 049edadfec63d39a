"""The `sites` spider: discovers and fetches every configured site's pages.

Discovery: start pages (in-site links, pagination), sitemaps (from the config, robots.txt
`Sitemap:` lines and /sitemap.xml; index, news and plain) and feeds (configured or announced by
<link rel="alternate">). Requests never leave a site's host and stop at its page budget.

Run it through `syndetect crawl CONFIG` or `scrapy crawl sites -a config=sites.toml`.
"""

from __future__ import annotations

import re
import struct
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler import config as config_module
from crawler.config import Config, SiteConfig
from crawler.dates import parse_date
from crawler.encoding import decode_html
from crawler.extract import cut_elements
from crawler.incremental import conditional_headers, due_again, load_known
from crawler.items import GoneItem, PageItem, UnchangedItem
from crawler.page_memory import PageLedger, RobotsMemory, load_pages
from crawler.traps import TrapGuard
from crawler.urls import SeenUrls, canonical, check_http_url, netloc, same_site_netloc
from db.models import utcnow
from db.pages import LISTING, OTHER, KnownPage, PageAnswer
from db.store import Known

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


class SitesSpider(scrapy.Spider):
    name = "sites"
    # 404/410 reach the callback so stored articles can be marked gone, 304 so they are kept.
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [304, 404, 410]}

    def __init__(
        self,
        config: Config | str | None = None,
        site: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if config is None:
            raise ValueError("the sites spider needs -a config=FILE.toml")
        self.config = config if isinstance(config, Config) else config_module.load(config)
        self.sites: tuple[SiteConfig, ...] = (
            (self.config.site(site),) if site else self.config.sites
        )
        self.pages_scheduled: Counter[str] = Counter()
        self.budget_reported: set[str] = set()
        # Canonical URLs requested so far: the budget counts each page once.
        self.seen = SeenUrls()
        self.link_extractor = LinkExtractor(unique=True)
        # Fed by the store pipeline with what extraction made of each page.
        self.traps = TrapGuard()
        self.rechecked_unlinked = False
        # Sitemaps and feeds fetched per site: an endless sitemap index must not be a crawl of
        # its own (the page budget only counts HTML pages).
        self.discovery_requests: Counter[str] = Counter()
        self.discovery_reported: set[str] = set()
        # Bodies already followed, per site: a soft-404 answers every URL with one page, whose
        # relative links make new URLs forever; its links are followed once.
        self.bodies_followed: set[int] = set()
        self.soft404_reported: set[str] = set()
        self.last_activity = time.monotonic()
        # Read from the database when the crawl starts: stored articles, remembered pages.
        self.known: dict[str, dict[str, Known]] = {}
        self.known_pages: dict[str, dict[str, KnownPage]] = {}
        self.robots: RobotsMemory | None = None
        # Non-article answers on their way to the store pipeline (the `pages` table).
        self.ledger = PageLedger()
        # Stored articles requested again, per site: the rest count as skipped.
        self.rechecked: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SitesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> Any:
        db_url = self.settings.get("SYNDETECT_DB")
        self.known = load_known(db_url, self.sites)
        self.known_pages = load_pages(db_url, self.sites)
        max_age = timedelta(seconds=self.settings.getfloat("SYNDETECT_ROBOTS_MAX_AGE"))
        self.robots = RobotsMemory(self.known_pages, max_age)
        for item in self._initial_requests():
            yield item

    def _initial_requests(self) -> Iterator[scrapy.Request]:
        for site in self.sites:
            yield from self._discovery_requests(site)
            for url in site.start_urls:
                request = self._page_request(site, url, start=True)
                if request is not None:
                    yield request

    # -- discovery ---------------------------------------------------------------------------

    def _discovery_requests(self, site: SiteConfig) -> Iterator[scrapy.Request]:
        roots = {urljoin(url, "/") for url in site.start_urls}
        for root in sorted(roots):
            robots = urljoin(root, "/robots.txt")
            stored = self.robots.answers.get(robots) if self.robots else None
            if stored is not None:
                yield from self._robots_sitemaps(site, robots, stored.status, stored.body)
            else:
                yield scrapy.Request(
                    robots,
                    callback=self.parse_robots,
                    cb_kwargs={"site": site},
                    meta={"dont_obey_robotstxt": True},
                    errback=self._ignore_failure,
                )
            guess = urljoin(root, "/sitemap.xml")
            if not self._known_missing(site, guess):
                yield from self._sitemap_request(site, guess, guessed=True)
        for url in site.sitemaps:
            yield from self._sitemap_request(site, url)
        for url in site.feeds:
            yield from self._feed_request(site, url)

    def _known_missing(self, site: SiteConfig, url: str) -> bool:
        """Whether `url` answered 404/410 when last asked, less than recheck_after ago."""
        page = self.known_pages.get(site.name, {}).get(url)
        return page is not None and page.status in (404, 410) and not due_again(page, site, None)

    def _sitemap_request(
        self, site: SiteConfig, url: str, depth: int = 0, guessed: bool = False
    ) -> Iterator[scrapy.Request]:
        """The request for a sitemap `depth` indexes below the first, if within the budgets."""
        if depth > self.settings.getint("SYNDETECT_SITEMAP_DEPTH"):
            self._discovery_refused(site, f"sitemap index nested deeper than {depth - 1}", url)
            return
        if self._discovery_allowed(site, url):
            yield scrapy.Request(
                url,
                callback=self.parse_sitemap,
                cb_kwargs={"site": site},
                meta={"syndetect_sitemap_depth": depth, "syndetect_guessed": guessed},
                errback=self._ignore_failure,
            )

    def _feed_request(self, site: SiteConfig, url: str) -> Iterator[scrapy.Request]:
        if self._discovery_allowed(site, url):
            yield scrapy.Request(
                url,
                callback=self.parse_feed,
                cb_kwargs={"site": site},
                errback=self._ignore_failure,
            )

    def _discovery_allowed(self, site: SiteConfig, url: str) -> bool:
        budget = self.settings.getint("SYNDETECT_DISCOVERY_REQUESTS")
        if self.discovery_requests[site.name] >= budget:
            self._discovery_refused(site, f"sitemap and feed budget of {budget} reached", url)
            return False
        self.discovery_requests[site.name] += 1
        return True

    def _discovery_refused(self, site: SiteConfig, why: str, url: str) -> None:
        """One log line per site and reason: a hostile index can offer millions."""
        key = f"{site.name}\0{why}"
        if key not in self.discovery_reported:
            self.discovery_reported.add(key)
            self.logger.warning("site %r: %s, not fetched: %s (and any more)", site.name, why, url)

    def _page_request(
        self,
        site: SiteConfig,
        url: str,
        lastmod: datetime | None = None,
        start: bool = False,
    ) -> scrapy.Request | None:
        """A request for an HTML page of `site` named by a start URL, a sitemap or a feed
        (saying it changed at `lastmod`); None as for `_link_request`."""
        if check_http_url(url) is not None:
            return None
        url = canonical(url)
        if not same_site_netloc(netloc(url), site.netlocs):
            return None
        return self._link_request(site, url, None, lastmod, start=start)

    def _link_request(
        self,
        site: SiteConfig,
        url: str,
        source: str | None,
        lastmod: datetime | None = None,
        *,
        start: bool = False,
        news_above: bool = False,
    ) -> scrapy.Request | None:
        """A request for the in-site canonical `url`, found on page `source`, or None when the
        URL was seen already, is a stored article or a remembered page with no sign of change,
        over the budget or in a crawl trap. A remembered listing is fetched again when the
        page above it showed something new (`news_above`); a start URL every time."""
        if url in self.seen:
            return None
        self.traps.found(site.name, url, source)
        known = self.known.get(site.name, {}).get(url)
        if known is not None and not due_again(known, site, lastmod):
            self.traps.observe(site.name, url, True)  # a stored article proves its listing
            self.seen.add(url)
            return None
        page = self.known_pages.get(site.name, {}).get(url) if known is None else None
        if page is not None and not start and not self._page_due(site, page, lastmod, news_above):
            self.seen.add(url)
            return None
        if self.pages_scheduled[site.name] >= site.max_pages:
            if site.name not in self.budget_reported:
                self.budget_reported.add(site.name)
                self.logger.warning("site %r: page budget of %d reached", site.name, site.max_pages)
            return None
        request = self._fetch(site, url, known)
        self.seen.add(url)
        if not self.traps.admit(site.name, url):
            self.traps.hold(site.name, url, request)
            return None
        self.pages_scheduled[site.name] += 1
        return request

    @staticmethod
    def _page_due(
        site: SiteConfig, page: KnownPage, lastmod: datetime | None, news_above: bool
    ) -> bool:
        return due_again(page, site, lastmod) or (news_above and page.kind == LISTING)

    def _fetch(self, site: SiteConfig, url: str, known: Known | None) -> scrapy.Request:
        """The request for a page, conditional when the article is stored already."""
        if known is not None:
            self.rechecked[site.name] += 1
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self._page_failed,
            cb_kwargs={"site": site},
            headers=conditional_headers(known),
        )

    def _on_idle(self) -> None:
        """Nothing left to fetch: release held URLs whose shape proved productive, else drop
        the traps; then recheck stored articles no page linked to any more; then finish."""
        if self._waiting_for_shared_frontier():
            raise DontCloseSpider
        released = [r for r in self.traps.release() if self._charge(r)]
        if not released:
            for site, shp, fetched, dropped in self.traps.drop_unproven():
                self.logger.warning(
                    "site %r: crawl trap skipped: %d pages shaped %r led to no article and no new "
                    "page; %d more such URLs not fetched",
                    site,
                    fetched,
                    shp,
                    dropped,
                )
            released = list(self._unlinked_due())
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider

    def _waiting_for_shared_frontier(self) -> bool:
        """With a shared frontier (scrapy-redis), an empty queue may only mean that the other
        crawlers have not enqueued their next pages yet: stay SYNDETECT_SHARED_IDLE seconds
        after the last page before closing."""
        if "scrapy_redis" not in str(self.settings.get("SCHEDULER")):
            return False
        wait = self.settings.getfloat("SYNDETECT_SHARED_IDLE")
        return time.monotonic() - self.last_activity < wait

    def _charge(self, request: scrapy.Request) -> bool:
        site = request.cb_kwargs["site"]
        if self.pages_scheduled[site.name] >= site.max_pages:
            return False
        self.pages_scheduled[site.name] += 1
        return True

    def _unlinked_due(self) -> Iterator[scrapy.Request]:
        """Stored articles that no page or sitemap led to this time but are due a recheck:
        a deleted copy is usually unlinked too, and must still be marked gone."""
        if self.rechecked_unlinked:
            return
        self.rechecked_unlinked = True
        for site in self.sites:
            for url, known in self.known.get(site.name, {}).items():
                if url in self.seen or not due_again(known, site, None):
                    continue
                self.seen.add(url)
                request = self._fetch(site, url, known)
                if self._charge(request):
                    yield request

    def skipped_articles(self, site: str) -> int:
        """Stored articles of `site` not requested in this crawl: nothing said they changed."""
        return len(self.known.get(site, {})) - self.rechecked[site]

    def _page_failed(self, failure: Any) -> None:
        request = failure.request
        site = request.cb_kwargs.get("site")
        reason = failure.getErrorMessage() or failure.type.__name__
        if site is not None and (refused := _refused(failure)) is not None:
            url = canonical((request.meta.get("redirect_urls") or [request.url])[0])
            if url not in self.known.get(site.name, {}):
                self.ledger.note(site.name, PageAnswer(url, OTHER, refused or None))
        if failure.check(IgnoreRequest) and "robots.txt" in reason:
            self.logger.info("not fetched, forbidden by robots.txt: %s", request.url)
        else:
            self.logger.warning("page not fetched: %s: %s", request.url, reason)
        if site is not None:
            self.crawler.stats.inc_value(f"syndetect/errors/{site.name}")

    def parse_robots(self, response: Response, site: SiteConfig) -> Iterator[scrapy.Request]:
        yield from self._robots_sitemaps(site, response.url, response.status, response.body)

    def _robots_sitemaps(
        self, site: SiteConfig, url: str, status: int, body: bytes
    ) -> Iterator[scrapy.Request]:
        if status != 200:
            return
        for sitemap in sitemap_urls_from_robots(body, base_url=url):
            yield from self._sitemap_request(site, sitemap)

    def parse_sitemap(self, response: Response, site: SiteConfig) -> Iterator[scrapy.Request]:
        if response.status != 200:
            if response.meta.get("syndetect_guessed") and response.status in (404, 410):
                url = canonical(response.request.url)
                self.ledger.note(site.name, PageAnswer(url, OTHER, response.status))
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")
            try:
                body = gunzip(body, max_size=maxsize)
            except (OSError, EOFError, ValueError, struct.error) as exc:
                # Scrapy's size-limit error is a ValueError; a truncated or corrupt gzip raises
                # OSError or EOFError. Either way there is no sitemap to read.
                self.logger.warning(
                    "sitemap skipped: %s: not readable gzip or over DOWNLOAD_MAXSIZE (%d bytes) "
                    "when decompressed (%s)",
                    response.url,
                    maxsize,
                    type(exc).__name__,
                )
                return
        depth = response.meta.get("syndetect_sitemap_depth", 0)
        try:
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - lxml raises several types on garbage
            self.logger.info("not a sitemap: %s", response.url)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                if same_site_netloc(netloc(loc), site.netlocs):
                    yield from self._sitemap_request(site, loc, depth + 1)
            else:
                lastmod = parse_date(entry.get("lastmod"))
                request = self._page_request(site, loc, lastmod=lastmod)
                if request is not None:
                    yield request

    def parse_feed(self, response: Response, site: SiteConfig) -> Iterator[scrapy.Request]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        selector = response.selector
        selector.remove_namespaces()
        links = selector.xpath(
            "//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href"
        )
        for link in links.getall():
            request = self._page_request(site, urljoin(response.url, link.strip()))
            if request is not None:
                yield request

    # -- pages -------------------------------------------------------------------------------

    def parse_page(self, response: Response, site: SiteConfig) -> Iterator[Any]:
        self.last_activity = time.monotonic()
        if response.status in (404, 410):
            yield GoneItem(site=site.name, url=canonical(response.url), status=response.status)
            return
        if response.status == 304:
            yield UnchangedItem(site=site.name, url=canonical(response.request.url))
            return
        source = canonical(response.url)
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get("Content-Type") or b"text/html"
        ):
            self._note_answers(site, response, source, OTHER)
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        html = decode_html(response.body, content_type)
        if _looks_binary(html[:4096]):
            # Binary served as text/html: nothing to extract, nothing to follow.
            self.logger.info("binary content served as HTML, skipped: %s", response.url)
            self._note_answers(site, response, source, OTHER)
            return
        html, elements = cut_elements(html, self.settings.getint("SYNDETECT_MAX_ELEMENTS"))
        if elements:
            self.logger.warning(
                "page cut to its first %d of %d elements: %s",
                self.settings.getint("SYNDETECT_MAX_ELEMENTS"),
                elements,
                response.url,
            )
        yield PageItem(
            site=site.name,
            url=source,
            html=html,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            status=response.status,
            headers=[
                (key.decode("latin-1"), value.decode("latin-1"))
                for key, values in response.headers.items()
                for value in values
            ],
            body=response.body,
            fetched_at=utcnow(),
        )
        for href in (
            response.xpath("//link[@rel='alternate']")
            .xpath("self::*[" + " or ".join(f"@type='{t}'" for t in FEED_TYPES) + "]/@href")
            .getall()
        ):
            yield from self._feed_request(site, urljoin(response.url, href))
        if not self._first_time_body(site, response):
            self.ledger.fetched(source, self._answers(response, source, OTHER))
            return
        urls = self._site_links(site, response)
        known, pages = self.known.get(site.name, {}), self.known_pages.get(site.name, {})
        # Something new: a URL unknown before this crawl. Listings below this page are paged
        # through again only then.
        news = any(url not in known and url not in pages for url in urls)
        listing = any(url in known or url not in self.seen for url in urls)
        self.ledger.fetched(source, self._answers(response, source, LISTING if listing else OTHER))
        for url in urls:
            request = self._link_request(site, url, source, news_above=news)
            if request is not None:
                yield request

    def _site_links(self, site: SiteConfig, response: Response) -> list[str]:
        """The canonical in-site URLs the page links to, up to SYNDETECT_MAX_LINKS."""
        links = self.link_extractor.extract_links(response)
        most = self.settings.getint("SYNDETECT_MAX_LINKS")
        if len(links) > most:
            # Each link costs a canonical form on the reactor thread: half a million links on
            # one page would stall every site's crawl for many seconds.
            self.logger.warning(
                "page links %d URLs, only the first %d followed: %s",
                len(links),
                most,
                response.url,
            )
        urls = (canonical(link.url) for link in links[:most] if check_http_url(link.url) is None)
        return [url for url in urls if same_site_netloc(netloc(url), site.netlocs)]

    @staticmethod
    def _answers(response: Response, url: str, kind: str) -> tuple[PageAnswer, ...]:
        """The page's answer, then those of the URLs that redirected to it."""
        redirects = zip(
            response.meta.get("redirect_urls") or (),
            response.meta.get("redirect_reasons") or (),
            strict=False,
        )
        aliases = tuple(
            PageAnswer(canonical(alias), kind, reason if isinstance(reason, int) else None)
            for alias, reason in redirects
            if canonical(alias) != url
        )
        return (PageAnswer(url, kind, response.status), *aliases)

    def _note_answers(self, site: SiteConfig, response: Response, url: str, kind: str) -> None:
        for answer in self._answers(response, url, kind):
            self.ledger.note(site.name, answer)

    def _first_time_body(self, site: SiteConfig, response: Response) -> bool:
        """Whether this page's content is new on its site (its own path left out, which a
        soft-404 often echoes). A soft-404 answers every URL with one page whose relative links
        (more/, other/) make new URLs of new shapes forever: its links are followed once."""
        path = urlsplit(response.url).path.encode("utf-8", "replace")
        key = hash((site.name, response.body.replace(path, b"")))
        if key not in self.bodies_followed:
            self.bodies_followed.add(key)
            return True
        if site.name not in self.soft404_reported:
            self.soft404_reported.add(site.name)
            self.logger.warning(
                "site %r: same page at another URL (soft 404?), its links not followed again: %s",
                site.name,
                response.url,
            )
        return False

    def _ignore_failure(self, failure: Any) -> None:
        """Discovery is best effort: a missing sitemap or feed is normal."""
        self.logger.debug("discovery request failed: %s", failure.value)


# Control characters (but whitespace) and undecodable bytes: one in a page is a trick or a typo
# (and must not hide an article); one in twenty characters is an image or an archive.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _looks_binary(head: str) -> bool:
    return len(NOT_TEXT.findall(head)) * 20 > len(head)


def _refused(failure: Any) -> int | None:
    """A refusal that will be the same next time: the HTTP status of a client error (but 408
    and 429), 0 for a request refused before it was sent (robots.txt, a redirect off the
    site); None for anything worth trying again (server errors, network failures)."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return status if 400 <= status < 500 and status not in (408, 429) else None
    return 0 if failure.check(IgnoreRequest) else None


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
