"""Scrapy settings for syndetect. Everything here can be overridden per run from the config's
[crawl] table (e.g. DOWNLOAD_DELAY = 0), the Scrapy way: behaviour switched in settings."""

BOT_NAME = "syndetect"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "syndetect/0.1 (+https://github.com/syndetect/syndetect; content-syndication monitor)"

# Polite by default: obey robots.txt, adapt the pace to the server, few parallel requests a host.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4

# Bounded work per page: news pages are small; anything far larger is not an article.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
# No depth limit: long paginated archives are normal; each site's max_pages bounds the crawl.
DEPTH_LIMIT = 0

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

DUPEFILTER_CLASS = "crawler.dupefilter.LoggingDupeFilter"

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.StorePipeline": 200,
}
EXTENSIONS = {
    "crawler.extensions.CrawlProgress": 500,
    # Scrapy's remote control (on by default in recent Scrapy) serves an HTTP endpoint on
    # localhost that runs any Python code sent with the token it writes to the user's profile:
    # not in a process that reads the hostile web (the telnet console is off for that reason).
    "scrapy.extensions.remote_control.RemoteControl": None,
}
# Before RedirectMiddleware (600) sees responses, after it creates requests: every redirect
# target passes the site boundary check again.
# Items a page's callback may have in flight: Scrapy starts this many asyncio tasks for every
# response. A page yields one item and its links, so 100 (the default) only costs the reactor.
CONCURRENT_ITEMS = 8
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SiteBoundaryMiddleware": 50,
    # Below retries (550): tallies each site's final answers and failures for its crawl outcome.
    "crawler.outcomes.SiteOutcomes": 60,
    "crawler.middlewares.RetryAfterMiddleware": 560,
    "crawler.middlewares.RobotsCacheMiddleware": 650,
}

# syndetect's own settings
SYNDETECT_DB = None  # SQLAlchemy URL; None: $SYNDETECT_DB or sqlite:///syndetect.db
SYNDETECT_EXTRACT_WORKERS = -1  # extraction processes; -1: one per core; 0: in the reactor
SYNDETECT_PROGRESS = True
SYNDETECT_SHARED_IDLE = 10  # seconds a crawler on a shared (scrapy-redis) frontier waits idle
SYNDETECT_ARCHIVE = True  # keep article responses as WARC (evidence)
SYNDETECT_ARCHIVE_DIR = None  # None: beside a SQLite database (<name>-warc/), else ./syndetect-warc
SYNDETECT_MAX_RETRY_AFTER = 120  # seconds: the longest Retry-After honoured
SYNDETECT_SITEMAP_DEPTH = 2  # sitemap indexes below the first one followed (nesting is rare)
SYNDETECT_DISCOVERY_REQUESTS = 200  # sitemaps and feeds fetched per site and crawl
SYNDETECT_MAX_ELEMENTS = 30000  # tags of a page extracted; the rest is cut (with a log line)
SYNDETECT_EXTRACT_SECONDS = 30  # extraction time limit per page; 0: none
SYNDETECT_MAX_LINKS = 5000  # links of one page followed; the rest ignored (with a log line)
SYNDETECT_ROBOTS_MAX_AGE = 86400  # seconds a stored robots.txt is reused (RFC 9309: a day)
