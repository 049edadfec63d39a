"""The hostile web, round two (issue 23): robots.txt as an SSRF relay, endless sitemap indexes,
trap-guard bypasses, one site's Retry-After stalling the others, NUL and control characters,
pages that take forever to extract, and the evasions a farm would try to stay unseen. Each
served on its own loopback address by tests/hostile_server.py and crawled by the real
`syndetect crawl`; docs/reliability.md summarises the outcomes."""

from __future__ import annotations

import re
import time

import pytest
from hostile_server import Reply, Request, serve
from test_hostile_web import (
    assert_bounded,
    gzip_bytes,
    html,
    listing,
    redirect,
    run_crawl,
    site,
    story,
)

# -- 1. robots.txt redirects and meta refreshes stay on the configured sites -----------------


@pytest.fixture(scope="module")
def robots_relay(tmp_path_factory):
    addresses = {"relay": "127.0.0.130", "refresh": "127.0.0.131", "canary": "127.0.0.132"}
    with serve(addresses) as web:
        canary = web.bases["canary"]
        web.routes["relay"] = {
            "/": listing(["/news/1"]),
            "/news/1": html(story(1)),
            "/robots.txt": redirect(f"{canary}/admin?x=1"),
        }
        web.routes["refresh"] = {
            "/": listing(["/news/2"]),
            "/news/2": html(story(2)),
            "/robots.txt": html(
                f'<html><head><meta http-equiv="refresh" content="0; url={canary}/admin?x=2">'
                "</head><body></body></html>"
            ),
        }
        web.routes["canary"] = {"/admin": html("<html><body>secret</body></html>")}
        crawl = run_crawl(
            tmp_path_factory.mktemp("robots_relay"),
            [site("relay", web.bases["relay"]), site("refresh", web.bases["refresh"])],
        )
        yield crawl, web, canary


def test_robots_redirect_never_reaches_another_host(robots_relay):
    crawl, web, canary = robots_relay
    assert web.requests_to("canary") == []
    assert sorted(crawl.articles()) == [
        f"{web.bases['relay']}/news/1",
        f"{web.bases['refresh']}/news/2",
    ]


def test_robots_redirect_and_refresh_are_logged(robots_relay):
    crawl, web, canary = robots_relay
    for n in (1, 2):
        assert crawl.log("blocked request outside any configured site", f"/admin?x={n}"), (
            crawl.stderr[-3000:]
        )


# -- 2. sitemaps: an endless index, a gzip bomb -----------------------------------------------


def sitemap_index(request: Request) -> Reply | None:
    """/sm/N.xml lists /sm/2N+1.xml and /sm/2N+2.xml: an index without end."""
    match = re.fullmatch(r"/sm/(\d+)\.xml", request.path)
    if not match:
        return None
    n = int(match[1])
    entries = "".join(
        f"<sitemap><loc>/sm/{k}.xml</loc></sitemap>"
        for k in (2 * n + 1, 2 * n + 2)
    )
    return Reply(
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>".encode(),
        content_type="application/xml",
    )


@pytest.fixture(scope="module")
def sitemaps(tmp_path_factory):
    addresses = {"endless": "127.0.0.133", "bomb": "127.0.0.134"}
    with serve(addresses) as web:
        endless = web.bases["endless"]

        def absolute_index(request: Request) -> Reply | None:
            reply = sitemap_index(request)
            if reply is None:
                return None
            return Reply(
                reply.body.replace(b"<loc>/", f"<loc>{endless}/".encode()),
                content_type="application/xml",
            )

        web.routes["endless"] = {
            "/": listing(["/news/1", "/news/2"]),
            "/news/1": html(story(3)),
            "/news/2": html(story(4)),
            "/robots.txt": Reply(f"Sitemap: {endless}/sm/0.xml\n".encode(), content_type="text/plain"),
        }
        web.fallback["endless"] = absolute_index
        web.routes["bomb"] = {
            "/": listing(["/news/1"]),
            "/news/1": html(story(5)),
            "/sitemap.xml": Reply(
                gzip_bytes(b'<?xml version="1.0"?><urlset>', padding=64 << 20),
                content_type="application/octet-stream",
            ),
        }
        crawl = run_crawl(
            tmp_path_factory.mktemp("sitemaps"),
            [site("endless", endless, max_pages=50), site("bomb", web.bases["bomb"])],
            {"DOWNLOAD_MAXSIZE": 1 << 20},
        )
        yield crawl, web


def test_endless_sitemap_index_is_bounded_and_logged(sitemaps):
    crawl, web = sitemaps
    fetched = [p for p in web.paths("endless") if p.startswith("/sm/")]
    # Depth 2 below the first index: 1 + 2 + 4 sitemaps.
    assert len(fetched) <= 7, f"{len(fetched)} sitemaps fetched"
    assert crawl.log("site 'endless': sitemap index nested deeper than"), crawl.stderr[-3000:]
    assert sorted(crawl.articles())[:2] == [f"{web.bases['endless']}/news/{n}" for n in (1, 2)]
    assert_bounded(crawl, 30)


def test_gzip_bomb_sitemap_is_skipped_without_traceback(sitemaps):
    crawl, web = sitemaps
    assert "Traceback" not in crawl.stderr, crawl.stderr[-3000:]
    assert crawl.log("sitemap skipped", f"{web.bases['bomb']}/sitemap.xml"), crawl.stderr[-3000:]
    assert f"{web.bases['bomb']}/news/1" in crawl.articles()
