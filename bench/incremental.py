"""Incremental crawling: requests and time of a second run against the first.

One large site (default): a generated site (≥ 2,000 articles on paginated listings) served on
loopback; three crawls into one database: the first, a second on the unchanged site, a third
after 5% new articles appear on the front pages. Prints requests (pages fetched) and seconds of
each, and the second and third as a share of the first (target: second ≤ 10% of the first's
requests).

Many small sites (`--small-sites N`): N sites of 3-15 articles with about, contact, privacy,
category and listing pages (bench/smallweb.py); the first crawl, a second on the unchanged web,
a third after one new article on two of the sites. Requests counted from the servers' access
log (robots.txt, sitemaps and 404s included).

    python bench/incremental.py [--articles 2000]
    python bench/incremental.py --small-sites 30
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from crawl import timed_crawl, write_config  # noqa: E402
from smallweb import serve_logged, small_web  # noqa: E402
from smallweb import write_config as write_web_config  # noqa: E402


def serve_forever(articles: int, new: int, ports: multiprocessing.Queue, grow) -> None:
    import random

    from sitegen import article_text, generate_site

    from crawler.demo.render import Page
    from crawler.demo.server import serve

    with serve({"inc": ("127.0.0.91", 0)}) as web:
        web.pages["inc"] = generate_site(articles)
        ports.put(web.bases["inc"])
        grow.wait()
        rng = random.Random(99)
        pages = dict(web.pages["inc"])
        links = ""
        for i in range(new):
            body = "".join(f"<p>{p}</p>" for p in article_text(rng))
            pages[f"/fresh/story-{i}/"] = Page(
                f'<html><head><meta property="og:type" content="article"><title>New {i}</title>'
                f"</head><body><article><h1>New {i}</h1>{body}</article></body></html>".encode()
            )
            links += f'<li><a href="/fresh/story-{i}/">new {i}</a></li>'
        pages["/"] = Page(pages["/"].body.replace(b"<ul>", b"<ul>" + links.encode(), 1))
        web.pages["inc"] = pages
        while True:
            time.sleep(3600)


def crawl(base: str, db: Path, workdir: Path) -> tuple[float, dict]:
    config = write_config(workdir / "inc.toml", "inc", base)
    elapsed = timed_crawl(config, db)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        run = dict(conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone())
    return elapsed, run


def small_sites(count: int) -> None:
    sites = small_web(count)
    with tempfile.TemporaryDirectory() as tmp, serve_logged(sites, 1, Path(tmp) / "log") as web:
        db = Path(tmp) / "small.db"
        config = write_web_config(Path(tmp) / "small.toml", sites, web.bases)
        rows = []
        for label in ("first", "unchanged", "2 sites +1"):
            if rows and label != "unchanged":
                for site in sites[3 : 3 + 14 * 2 : 14]:
                    site.add_article()
                    web.pages[site.name] = site.pages()
            before = web.requests()
            seconds = timed_crawl(config, db)
            with sqlite3.connect(db) as conn:
                articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            rows.append((label, web.requests() - before, seconds, articles))
    first = rows[0][1]
    for label, requests, seconds, articles in rows:
        print(
            f"{label:>10}: {requests:5d} requests ({requests / first:.3f} of the first), "
            f"{seconds:6.1f}s, {articles} articles stored"
        )
    print(f"second run / first: requests {rows[1][1] / first:.3f} (target <= 0.10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--small-sites", type=int, default=0, help="many small sites instead")
    args = parser.parse_args()
    if args.small_sites:
        small_sites(args.small_sites)
        return
    new = args.articles // 20
    ports: multiprocessing.Queue = multiprocessing.Queue()
    grow = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve_forever, args=(args.articles, new, ports, grow), daemon=True
    )
    server.start()
    base = ports.get(timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "inc.db"
        first = crawl(base, db, Path(tmp))
        second = crawl(base, db, Path(tmp))
        grow.set()
        time.sleep(0.5)
        third = crawl(base, db, Path(tmp))
    server.terminate()
    for label, (seconds, run) in (("first", first), ("unchanged", second), ("5% new", third)):
        print(
            f"{label:>9}: {run['pages_fetched']:5d} requests, {seconds:6.1f}s, "
            f"{run['articles_new']} new, {run['articles_skipped']} skipped"
        )
    print(
        f"second run / first: requests {second[1]['pages_fetched'] / first[1]['pages_fetched']:.3f}"
        f" (target <= 0.10), time {second[0] / first[0]:.2f}"
    )
    print(
        f"5%-new run / first: requests {third[1]['pages_fetched'] / first[1]['pages_fetched']:.3f}"
        f", time {third[0] / first[0]:.2f}"
    )


if __name__ == "__main__":
    main()
