"""Run the Scrapy crawl for a config, with the [crawl] table layered over crawler.settings."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.config import Config
from crawler.errors import UserError
from crawler.interrupt import Interrupted, on_signals
from crawler.outcomes import SEEN
from crawler.spiders.sites import SitesSpider
from db.session import DatabaseError


@dataclass
class CrawlResult:
    """Each crawled site's (status, reason), and Scrapy's stats."""

    outcomes: dict[str, tuple[str, str | None]]
    stats: dict

    @property
    def not_seen(self) -> dict[str, str]:
        """Sites nothing was fetched from, with the reason."""
        return {
            name: reason or status
            for name, (status, reason) in self.outcomes.items()
            if status not in SEEN
        }


def crawl_settings(config: Config, db_url: str | None, quiet: bool = False) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.update(config.crawl, priority="cmdline")
    if db_url:
        settings.set("SYNDETECT_DB", db_url, priority="cmdline")
    if quiet:
        settings.set("SYNDETECT_PROGRESS", False, priority="cmdline")
        settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
    return settings


# Scrapy logs a failed robots.txt download as an ERROR with a 70-line traceback, and every
# request it gave up retrying as an ERROR. A site that cannot be reached is reported once, in
# its crawl outcome; these stay warnings (shown unless --quiet), without the traceback.
NETWORK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


class _NetworkErrorsAsWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            if record.exc_info:
                record.msg = f"{record.getMessage()} ({record.exc_info[0].__name__})"
                record.args = ()
                record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True  # the handler's level (LOG_LEVEL) still decides


def _installed_reactor() -> Any:
    """Twisted's reactor once Scrapy has installed it, else None (importing it earlier would
    install the default one in place of the asyncio reactor Scrapy asks for)."""
    if "twisted.internet.reactor" not in sys.modules:
        return None
    from twisted.internet import reactor

    return reactor


def crawl(
    config: Config, db_url: str | None, site: str | None = None, quiet: bool = False
) -> CrawlResult:
    """Crawl every site of `config` (or just `site`) into the database. Raises Interrupted
    after a SIGINT/SIGTERM once the crawl has stopped cleanly and its runs are recorded."""
    if site is not None:
        config.site(site)  # a one-line error for an unknown name, before the reactor starts

    def stop(_signum: int) -> None:
        # Raised while Scrapy imports and builds its components, the signal would pass for
        # their failure, and a stop asked before the engine runs is lost (the crawl runs on,
        # or never ends): recorded here (`received`), the stop waits for a running engine.
        reactor = _installed_reactor()
        if reactor is not None and reactor.running:
            reactor.callFromThread(stop_when_engine_runs)

    def stop_when_engine_runs() -> None:
        try:
            running = crawler.engine.running
        except AttributeError:  # not created yet
            running = False
        if running:
            process.stop()
        else:
            _installed_reactor().callLater(0.05, stop_when_engine_runs)

    network_filter = _NetworkErrorsAsWarnings()
    for name in NETWORK_LOGGERS:
        logging.getLogger(name).addFilter(network_filter)
    try:
        with on_signals(stop) as received:
            process = CrawlerProcess(crawl_settings(config, db_url, quiet))
            crawler = process.create_crawler(SitesSpider)
            process.crawl(crawler, config=config, site=site)
            if received:
                _installed_reactor().callWhenRunning(stop_when_engine_runs)
            process.start(install_signal_handlers=False)
    finally:
        for name in NETWORK_LOGGERS:
            logging.getLogger(name).removeFilter(network_filter)
    stats = crawler.stats.get_stats()
    reason = stats.get("finish_reason")
    if reason is None:
        raise UserError("the crawl could not start (Scrapy's error is above)")
    if reason.startswith(("database error", "archive error")):
        raise DatabaseError(f"crawl stopped: {reason}")
    if received:
        raise Interrupted(received[0])
    outcomes = {
        key.removeprefix("syndetect/outcome/"): (
            status,
            stats.get("syndetect/outcome_reason/" + key.removeprefix("syndetect/outcome/")),
        )
        for key, status in stats.items()
        if key.startswith("syndetect/outcome/")
    }
    return CrawlResult(outcomes, stats)
