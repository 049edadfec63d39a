"""`syndetect schedule`: crawl each site on its own interval, unattended.

The state is the database: a site is due when its last crawl (in `crawl_runs`) started longer
ago than its `schedule` interval, plus a jitter of up to a tenth of it (so sites on one interval
do not all start at once; deterministic per site and run, so a restart keeps the plan). A
restarted scheduler therefore picks up where it was. Crawls run one at a time, each in its own
process (`syndetect crawl CONFIG --site NAME`, as cron would run it), so one site is never
crawled twice at once; after crawls, `syndetect match` runs. Another job holding the database
(a manual `run`) makes the scheduler wait for the next tick, never interleave.

SIGINT or SIGTERM is passed on to the running child, which stops cleanly and records its runs
as interrupted; the scheduler then exits with 130 or 143 (crawler.interrupt).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from crawler.config import Config, SiteConfig
from crawler.interrupt import Interrupted, on_signals
from db.models import CrawlRun, Site, utcnow
from db.session import session_factory

JITTER = 0.1
MAX_SLEEP = 60.0


def jitter(site: SiteConfig, last_run_id: int | None) -> timedelta:
    """Up to JITTER × interval, the same for a given site and previous run."""
    digest = hashlib.sha256(f"{site.name}:{last_run_id}".encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return site.schedule * (JITTER * fraction)


def next_due(engine: Engine, config: Config) -> dict[str, datetime]:
    """When each site is next due (a time in the past: due now)."""
    with session_factory(engine)() as session:
        last = dict(
            session.execute(
                select(Site.name, func.max(CrawlRun.id))
                .join(CrawlRun, CrawlRun.site_id == Site.id)
                .group_by(Site.name)
            ).all()
        )
        due = {}
        for site in config.sites:
            run = session.get(CrawlRun, last[site.name]) if last.get(site.name) else None
            if run is None:
                due[site.name] = datetime.min
            else:
                due[site.name] = run.started_at + site.schedule + jitter(site, run.id)
        return due


def run_schedule(
    engine: Engine,
    config: Config,
    base_command: list[str],
    once: bool = False,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Crawl due sites, match, sleep until the next is due; forever, or one round (`once`).
    Returns the number of crawls started."""
    children = _Children()
    with on_signals(children.stop, again=children.stop):
        started = 0
        while True:
            due = next_due(engine, config)
            now = utcnow()
            ready = [site for site in config.sites if due[site.name] <= now]
            for site in ready:
                log(f"schedule: crawling {site.name!r}")
                code = children.run([*base_command, "crawl", str(config.path), "--site", site.name])
                started += 1
                if code != 0:
                    log(f"schedule: crawl of {site.name!r} failed (exit {code})")
            if ready:
                children.run([*base_command, "match", "--config", str(config.path)])
            due = next_due(engine, config)
            wait = min((when - utcnow()).total_seconds() for when in due.values())
            next_site = min(due, key=due.get)
            # Always said, even when nothing was due: an idle scheduler is not a stuck one.
            log(f"schedule: next crawl {next_site!r} {_when(wait, due[next_site])}")
            if once:
                return started
            sleep(min(max(wait, 1.0), MAX_SLEEP))


def _when(wait: float, at: datetime) -> str:
    if wait <= 0:
        return "is due now"
    return f"in {wait:.0f}s (at {at:%Y-%m-%d %H:%M:%S} UTC)"


class _Children:
    """Runs one child command at a time. A signal goes to the running child, whose own clean
    shutdown records what it was doing; the scheduler stops once the child has exited. The
    child runs in its own process group, so a terminal's Ctrl-C reaches it once, through us."""

    def __init__(self) -> None:
        self.current: subprocess.Popen | None = None
        self.signum: int | None = None

    def run(self, command: list[str]) -> int:
        self.current = subprocess.Popen(command, process_group=0)
        try:
            code = self.current.wait()
        finally:
            self.current = None
        if self.signum is not None:
            raise Interrupted(self.signum)
        return code

    def stop(self, signum: int) -> None:
        """Pass the signal on (a second one too: the child then exits at once, as we do)."""
        first = self.signum is None
        self.signum = signum
        if self.current is not None:
            self.current.send_signal(signum)
        elif first:
            raise Interrupted(signum)
