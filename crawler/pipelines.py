"""Item pipelines: extract each fetched page off the reactor thread, then store it.

Extraction (trafilatura, lxml, language ID) is the expensive step, so it runs in a pool of worker
processes (SYNDETECT_EXTRACT_WORKERS, default: one per core) and the reactor keeps downloading.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections import Counter
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.exc import DBAPIError, IntegrityError

from crawler.archive import Archive, default_directory
from crawler.extract import Extracted, extract_within
from crawler.identifiers import page_evidence, read_markup
from crawler.items import GoneItem, PageItem, UnchangedItem
from crawler.urls import netloc, same_site_netloc
from crawler.worker_process import worker_pool
from db.models import utcnow
from db.networks import record_page_markup
from db.pages import OTHER, PageAnswer, remember_pages
from db.session import connect, describe, resolve_url, session_factory
from db.store import (
    ArticleRecord,
    finish_run,
    mark_gone,
    mark_unchanged,
    start_run,
    store_article,
    upsert_site,
)


class InlineExecutor(Executor):
    """Runs the job in the calling thread: SYNDETECT_EXTRACT_WORKERS = 0, for debugging."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            future.set_exception(exc)
        return future


class ExtractPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        workers = crawler.settings.getint("SYNDETECT_EXTRACT_WORKERS")
        self.workers = (os.cpu_count() or 1) if workers < 0 else workers
        self.seconds = crawler.settings.getfloat("SYNDETECT_EXTRACT_SECONDS")
        self.executor: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers == 0:
            self.executor = InlineExecutor()
        else:
            self.executor = worker_pool(self.workers)

    def close_spider(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        hint = self.crawler.spider.config.site(item.site).language
        executor = self.executor
        try:
            future = executor.submit(extract_within, self.seconds, item.html, item.url, hint)
            markup = executor.submit(read_markup, item.html, item.url)
            item.markup = await asyncio.wrap_future(markup)
            return item, await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # A worker was killed (out of memory, an operator) or crashed in C code: the pool
            # refuses all later work. A new pool for the rest of the crawl; these pages skipped.
            if self.executor is executor:
                self.crawler.spider.logger.error(
                    "extraction worker died (killed or out of memory); workers restarted; "
                    "pages in flight skipped, first: %s",
                    item.url,
                )
                executor.shutdown(wait=False, cancel_futures=True)
                self.executor = worker_pool(self.workers)
            return item, Extracted(
                url=item.url, is_article=False, reason="extraction worker died", over_limit=True
            )


class StorePipeline:
    """Writes articles to the database and records one crawl_runs row per site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_url = crawler.settings.get("SYNDETECT_DB")
        self.counts: dict[str, Counter[str]] = {}
        self.runs: dict[str, Any] = {}
        self.failed = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        settings = self.crawler.settings
        self.archive = None
        if settings.getbool("SYNDETECT_ARCHIVE"):
            directory = settings.get("SYNDETECT_ARCHIVE_DIR")
            self.archive = Archive(
                Path(directory) if directory else default_directory(resolve_url(self.db_url))
            )
        self.engine = connect(self.db_url)
        self.sessions = session_factory(self.engine)
        self.session = self.sessions()
        self.sites = {}
        for site in spider.sites:
            record = upsert_site(
                self.session, site.name, site.role, site.language, site.start_urls[0]
            )
            self.sites[site.name] = record
            self.runs[site.name] = start_run(self.session, record.id)
            self.counts[site.name] = Counter()
        self.session.commit()

    def process_item(self, item: Any) -> Any:
        if self.failed:
            raise DropItem("the database failed; the crawl is stopping")
        try:
            try:
                return self._store(item)
            except IntegrityError:
                # Another crawler (a shared frontier) stored the same row a moment ago: the
                # second attempt finds it and updates instead.
                self.session.rollback()
                return self._store(item)
        except (DBAPIError, OSError) as exc:
            # Disk full, file made read-only, server gone: every item would fail the same way.
            # Each item commits alone, so what was stored stays stored; stop the crawl.
            self.session.rollback()
            if isinstance(exc, DBAPIError):
                self.failed = f"database error: {describe(exc)}"
            else:
                full = " (disk full)" if exc.errno == errno.ENOSPC else ""
                self.failed = f"archive error: {exc.strerror}{full}"
            self.crawler.spider.logger.error("stopping the crawl: %s", self.failed)
            asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=self.failed))
            raise DropItem(self.failed) from None

    def _store(self, item: Any) -> Any:
        if isinstance(item, GoneItem):
            if mark_gone(self.session, item.url):
                self.session.commit()
                self.counts[item.site]["articles_gone"] += 1
                self.crawler.spider.logger.warning(
                    "article gone (HTTP %d), kept and marked gone: %s", item.status, item.url
                )
            else:  # a broken link: not asked for again until recheck_after
                answer = PageAnswer(item.url, OTHER, item.status)
                remember_pages(self.session, self.sites[item.site].id, [answer])
                self.session.commit()
            return item
        if isinstance(item, UnchangedItem):
            if mark_unchanged(self.session, item.url):
                self.session.commit()
                self.counts[item.site]["articles_unchanged"] += 1
            return item
        page, extracted = item
        site_name = page.site
        answers = self.crawler.spider.ledger.take(page.url)
        if extracted.over_limit:
            answers = ()  # not judged: asked for again next time
        elif extracted.is_article:
            answers = answers[1:]  # the URLs that redirected to it
        remember_pages(self.session, self.sites[site_name].id, answers)
        self.crawler.spider.traps.observe(site_name, extracted.url, extracted.is_article)
        if page.markup is not None:
            evidence = page_evidence(page.markup, page.url, extracted.links)
            record_page_markup(self.session, self.sites[site_name].id, *evidence, utcnow())
        counts = self.counts[site_name]
        if not extracted.is_article:
            self.session.commit()  # the page's identifiers
            counts["non_articles"] += 1
            if extracted.over_limit:
                self.crawler.spider.logger.warning(
                    "page not extracted: %s: %s", extracted.url, extracted.reason
                )
            self.crawler.spider.logger.debug(
                "not an article (%s): %s", extracted.reason, extracted.url
            )
            return item
        record = to_record(extracted, page.etag, page.last_modified)
        if self.archive is not None and page.body:
            stored = self.archive.write(
                page.url, page.status, page.headers, page.body, page.fetched_at or utcnow()
            )
            record.warc_file, record.warc_offset = stored.file, stored.offset
            record.payload_sha256 = stored.sha256
        outcome = store_article(self.session, self.sites[site_name], record)
        self.session.commit()
        counts[f"articles_{outcome}"] += 1
        return item

    def close_spider(self) -> None:
        if not hasattr(self, "session"):
            return  # open_spider failed before the database was open; Scrapy reports why
        if self.archive is not None:
            self.archive.close()
        if self.failed:
            # Still say on the run rows that the crawl failed, if the database lets us: a row
            # left "running" would read as a crawl still going.
            try:
                self._finish_runs("failed")
            except DBAPIError:
                self.session.rollback()
            self.session.close()
            self.engine.dispose()
            return
        self._remember_loose_pages()
        reason = getattr(self.crawler.spider, "close_reason", None) or "finished"
        self._finish_runs("finished" if reason == "finished" else "failed")
        self.session.close()
        self.engine.dispose()

    def _remember_loose_pages(self) -> None:
        """Answers not tied to a stored page (missing sitemaps, non-HTML pages, refusals) and
        robots.txt files fetched in this crawl, written once at the end: losing them to a
        crash costs a request each next time, nothing more."""
        spider = self.crawler.spider
        for name, answers in spider.ledger.loose.items():
            remember_pages(self.session, self.sites[name].id, answers)
        for url, answer, when in spider.robots.to_remember() if spider.robots else ():
            host = netloc(url)
            site = next((s for s in spider.sites if same_site_netloc(host, s.netlocs)), None)
            if site is not None:
                remember_pages(self.session, self.sites[site.name].id, [answer], when)
        self.session.commit()

    def _finish_runs(self, status: str) -> None:
        stats = self.crawler.stats
        for name, run in self.runs.items():
            counts = self.counts[name]
            finish_run(
                self.session,
                run,
                status,
                {
                    "pages_fetched": stats.get_value(f"syndetect/pages/{name}", 0),
                    "articles_new": counts["articles_new"],
                    "articles_changed": counts["articles_changed"],
                    "articles_unchanged": counts["articles_unchanged"],
                    "articles_skipped": self.crawler.spider.skipped_articles(name),
                    "articles_gone": counts["articles_gone"],
                    "non_articles": counts["non_articles"],
                    "errors": stats.get_value(f"syndetect/errors/{name}", 0),
                },
            )
        self.session.commit()


def to_record(
    extracted: Extracted, etag: str | None = None, last_modified: str | None = None
) -> ArticleRecord:
    return ArticleRecord(
        etag=etag,
        last_modified=last_modified,
        url=extracted.url,
        text=extracted.text,
        title=extracted.title,
        author=extracted.author,
        published=extracted.published,
        lang=extracted.lang,
        lang_confidence=extracted.lang_confidence,
        links=extracted.links,
        attribution_url=extracted.attribution_url,
    )
