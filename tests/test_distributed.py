"""Two crawler processes sharing one frontier (scrapy-redis: Redis queue and duplicate filter)
and one PostgreSQL database: every page fetched once, every article stored once."""

import subprocess
import threading
import uuid

import pytest
from conftest import CLI, CRAWL_TABLE, require_service
from sqlalchemy import create_engine, text

from crawler.demo.render import Page
from crawler.demo.server import _handler, serve

PARAGRAPH = (
    "<p>Story {n}: the council of Alvern voted on Thursday to fund the harbour tunnel that "
    "engineer Dagny Solheim-Rask proposed in {year}; it will cost {n}.5 million euros and "
    "employ {n}00 workers, the finance office said after a vote of {n} to {m}.</p>"
)


@pytest.mark.slow
def test_two_crawlers_share_one_frontier_and_one_database(tmp_path, postgres_url):
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    articles = 120
    pages = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
    for number in range(1, 7):
        links = "".join(f'<a href="/a/{number}-{k}">x</a>' for k in range(20))
        older = f'<a href="/page/{number + 1}/">Older</a>' if number < 6 else ""
        pages["/" if number == 1 else f"/page/{number}/"] = Page(
            f"<html><body>{links}{older}</body></html>".encode(), delay=0.2
        )
        for k in range(20):
            n = number * 100 + k
            body = "".join(
                PARAGRAPH.format(n=n, m=n + j, year=1900 + n % 100 + j) for j in range(4)
            )
            pages[f"/a/{number}-{k}"] = Page(
                f'<html><head><meta property="og:type" content="article"><title>{n}</title></head>'
                f"<body><article><h1>Story {n}</h1>{body}</article></body></html>".encode(),
                delay=0.2,
            )
    requests: list[str] = []
    lock = threading.Lock()
    with serve({"shared": ("127.0.0.95", 0)}) as web:
        web.pages["shared"] = pages
        handler = _handler(web, "shared")
        original = handler.do_GET

        def counting(self) -> None:
            with lock:
                requests.append(self.path)
            original(self)

        web.servers[0].RequestHandlerClass.do_GET = counting
        key = f"syndetect-test-{uuid.uuid4().hex[:8]}"
        config = tmp_path / "distributed.toml"
        config.write_text(
            CRAWL_TABLE + "CONCURRENT_REQUESTS = 2\nCONCURRENT_REQUESTS_PER_DOMAIN = 2\n"
            'SCHEDULER = "scrapy_redis.scheduler.Scheduler"\n'
            'DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"\n'
            'REDIS_URL = "redis://127.0.0.1:6379/0"\n'
            "SCHEDULER_PERSIST = true\n"
            f'SCHEDULER_QUEUE_KEY = "{key}:requests"\n'
            f'SCHEDULER_DUPEFILTER_KEY = "{key}:dupefilter"\n'
            "SYNDETECT_ARCHIVE = false\n"
            f'[[site]]\nname = "shared"\nrole = "source"\nstart_urls = ["{web.bases["shared"]}/"]\n'
        )
        client = redis.Redis(host="127.0.0.1", port=6379)
        try:
            crawlers = [
                subprocess.Popen(
                    [*CLI, "--db", postgres_url, "--quiet", "crawl", str(config)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [c.communicate(timeout=300) for c in crawlers]
            for crawler, (_, err) in zip(crawlers, outputs, strict=True):
                assert crawler.returncode == 0, err[-2000:]
        finally:
            client.delete(*(client.keys(f"{key}:*") or [b"none"]))
    html = [p for p in requests if p not in ("/robots.txt", "/sitemap.xml")]
    assert len(html) == len(set(html)) == articles + 6, "every page fetched exactly once"
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        urls = conn.execute(text("SELECT url FROM articles")).scalars().all()
        runs = conn.execute(text("SELECT pages_fetched FROM crawl_runs")).scalars().all()
    engine.dispose()
    assert len(urls) == len(set(urls)) == articles, outputs[0][1][-3000:] + outputs[1][1][-3000:]
    assert len(runs) == 2 and all(r > 0 for r in runs), (
        outputs[0][1][-2500:] + "\n=====\n" + outputs[1][1][-2500:]
    )
