"""Run the Scrapy crawl for a config, with the [crawl] table layered over crawler.settings."""

from __future__ import annotations

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.config import Config
from crawler.spiders.sites import SitesSpider
from db.session import DatabaseError


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


def crawl(config: Config, db_url: str | None, site: str | None = None, quiet: bool = False) -> dict:
    """Crawl every site of `config` (or just `site`) into the database; returns Scrapy's stats."""
    if site is not None:
        config.site(site)  # a one-line error for an unknown name, before the reactor starts
    process = CrawlerProcess(crawl_settings(config, db_url, quiet))
    crawler = process.create_crawler(SitesSpider)
    process.crawl(crawler, config=config, site=site)
    process.start()
    stats = crawler.stats.get_stats()
    reason = stats.get("finish_reason", "finished")
    if reason.startswith(("database error", "archive error")):
        raise DatabaseError(f"crawl stopped: {reason}")
    return stats
