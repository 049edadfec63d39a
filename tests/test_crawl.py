"""Crawling real HTTP servers on loopback: discovery paths, site boundaries, robots.txt and the
page budget, through the real `syndetect crawl`."""

import gzip
from pathlib import Path

import pytest
from conftest import CRAWL_TABLE, syndetect_ok
from sqlalchemy import create_engine, text

from crawler.demo.render import Page
from crawler.demo.server import serve

PARAGRAPH = (
    "<p>The council of Alvern voted {n} to {m} on Thursday to fund the harbour tunnel, a project "
    "first proposed by engineer Dagny Solheim-Rask in {year}. The tunnel will cost {n}.{m} "
    "million euros and employ {m}00 workers, the finance office said after the vote.</p>"
)


def article(n: int, links: str = "") -> Page:
    body = "".join(PARAGRAPH.format(n=n, m=n + k, year=1990 + n + k) for k in range(4))
    return Page(
        f'<html lang="en"><head><title>Story {n}</title><meta property="og:type" '
        f'content="article"></head><body><article><h1>Story {n}</h1>{body}</article>{links}'
        "</body></html>".encode()
    )


def sitemap(urls: list[str], index: bool = False, news: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    extra = "<news:news><news:title>x</news:title></news:news>" if news else ""
    entries = "".join(f"<{item}><loc>{u}</loc>{extra}</{item}>" for u in urls)
    return (
        f'<?xml version="1.0"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>'
        f"{entries}</{tag}>"
    ).encode()


def paginated(listings: int, per_page: int, step: int = 10) -> dict:
    """Home and /page/N/ listings of `per_page` article links each, plus the articles."""
    pages = {}
    for number in range(1, listings + 1):
        items = "".join(f'<a href="/a/{number}-{k}">x</a>' for k in range(per_page))
        older = f'<a href="/page/{number + 1}/">Older</a>' if number < listings else ""
        pages["/" if number == 1 else f"/page/{number}/"] = Page(
            f"<html><body>{items}{older}</body></html>".encode()
        )
        for k in range(per_page):
            pages[f"/a/{number}-{k}"] = article(number * step + k)
    return pages


def crawl(tmp_path: Path, sites_toml: str) -> list[str]:
    config = tmp_path / "sites.toml"
    config.write_text(CRAWL_TABLE + sites_toml)
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    syndetect_ok("--db", db, "--quiet", "crawl", str(config))
    engine = create_engine(db)
    with engine.connect() as conn:
        urls = sorted(conn.execute(text("SELECT url FROM articles")).scalars())
    engine.dispose()
    return urls


def test_sitemap_index_gzip_news_and_atom_feed_and_boundaries(tmp_path):
    with serve({"pub": ("127.0.0.40", 0), "other": ("127.0.0.41", 0)}) as web:
        pub, other = web.bases["pub"], web.bases["other"]
        web.pages["pub"] = {
            "/": Page(b'<html><body><a href="/about/">About</a></body></html>'),
            "/about/": Page(b"<html><body><p>About us.</p></body></html>"),
            "/robots.txt": Page(
                f"User-agent: *\nDisallow: /private/\nSitemap: {pub}/sm-index.xml\n".encode(),
                "text/plain",
            ),
            "/sm-index.xml": Page(
                sitemap([f"{pub}/sm-news.xml", f"{pub}/sm-old.xml.gz"], index=True),
                "application/xml",
            ),
            "/sm-news.xml": Page(
                sitemap([f"{pub}/news/1", f"{pub}/private/2"], news=True), "application/xml"
            ),
            "/sm-old.xml.gz": Page(gzip.compress(sitemap([f"{pub}/old/3"])), "application/x-gzip"),
            "/atom": Page(
                f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                f'<link href="{pub}/feed/4"/></entry><entry><link rel="alternate" '
                f'href="{other}/elsewhere"/></entry></feed>'.encode(),
                "application/atom+xml",
            ),
            "/news/1": article(
                1, f'<a href="{other}/offsite">x</a><a href="/news/5?utm_source=t#c">y</a>'
            ),
            "/private/2": article(2),
            "/old/3": article(3),
            "/feed/4": article(4),
            "/news/5": article(5),
        }
        web.pages["other"] = {"/offsite": article(6), "/elsewhere": article(7)}
        urls = crawl(
            tmp_path,
            f'[[site]]\nname = "pub"\nrole = "source"\nstart_urls = ["{pub}/"]\n'
            f'feeds = ["{pub}/atom"]\n',
        )
    assert urls == [f"{pub}/feed/4", f"{pub}/news/1", f"{pub}/news/5", f"{pub}/old/3"]


@pytest.mark.slow
def test_pagination_and_page_budget(tmp_path):
    with serve({"paged": ("127.0.0.42", 0)}) as web:
        base = web.bases["paged"]
        web.pages["paged"] = paginated(listings=5, per_page=2)
        everything = crawl(
            tmp_path, f'[[site]]\nname = "paged"\nrole = "suspect"\nstart_urls = ["{base}/"]\n'
        )
        assert len(everything) == 10
        budget = tmp_path / "budget"
        budget.mkdir()
        limited = crawl(
            budget,
            f'[[site]]\nname = "paged"\nrole = "suspect"\nstart_urls = ["{base}/"]\n'
            "max_pages = 4\n",
        )
        assert 0 < len(limited) < 4


def test_redirects_out_of_the_site_are_not_followed(tmp_path):
    with serve({"farm": ("127.0.0.43", 0), "victim": ("127.0.0.44", 0)}) as web:
        farm, victim = web.bases["farm"], web.bases["victim"]
        web.pages["farm"] = {
            "/": Page(b'<html><body><a href="/a">a</a><a href="/jump">b</a></body></html>'),
            "/a": article(1),
            "/jump": Page(b"", status=302, headers=(("Location", f"{victim}/secret"),)),
        }
        web.pages["victim"] = {"/secret": article(2)}
        urls = crawl(
            tmp_path, f'[[site]]\nname = "farm"\nrole = "suspect"\nstart_urls = ["{farm}/"]\n'
        )
    assert urls == [f"{farm}/a"]


@pytest.mark.slow
def test_incremental_crawls_fetch_only_what_is_new_or_changed(tmp_path):
    """Second run on an unchanged site: only the start page; new articles on it lead to the
    next listing page, which shows nothing new, so the listing is not paged further."""
    with serve({"inc": ("127.0.0.45", 0)}) as web:
        base = web.bases["inc"]
        pages = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
        pages.update(paginated(listings=5, per_page=20, step=100))
        web.pages["inc"] = pages
        site = f'[[site]]\nname = "inc"\nrole = "source"\nstart_urls = ["{base}/"]\n'
        first = len(crawl(tmp_path, site)), runs(tmp_path)[-1]
        second = len(crawl(tmp_path, site)), runs(tmp_path)[-1]
        # 5% new articles on the front page.
        for k in range(5):
            pages[f"/a/new-{k}"] = article(500 + k)
        pages["/"] = Page(
            pages["/"].body.replace(
                b"<body>",
                b"<body>" + b"".join(f'<a href="/a/new-{k}">n</a>'.encode() for k in range(5)),
            )
        )
        third = len(crawl(tmp_path, site)), runs(tmp_path)[-1]
    assert first[0] == 100 and first[1]["articles_new"] == 100
    assert second[0] == 100 and second[1]["articles_skipped"] == 100
    assert second[1]["pages_fetched"] <= 0.1 * first[1]["pages_fetched"]
    assert third[0] == 105 and third[1]["articles_new"] == 5
    assert second[1]["pages_fetched"] == 1
    assert third[1]["pages_fetched"] == second[1]["pages_fetched"] + 5 + 1


@pytest.mark.slow
def test_recheck_uses_conditional_get_and_marks_gone(tmp_path):
    with serve({"re": ("127.0.0.46", 0)}) as web:
        base = web.bases["re"]
        body = article(1).body
        web.pages["re"] = {
            "/": Page(b'<html><body><a href="/a/1">1</a><a href="/a/2">2</a></body></html>'),
            "/a/1": Page(body, headers=(("ETag", '"v1"'),)),
            "/a/2": article(2),
        }
        site = (
            f'[[site]]\nname = "re"\nrole = "source"\nstart_urls = ["{base}/"]\n'
            'recheck_after = "0s"\n'
        )
        crawl(tmp_path, site)
        web.pages["re"]["/a/1"] = Page(b"", status=304, headers=(("ETag", '"v1"'),))
        web.pages["re"]["/a/2"] = Page(b"gone", status=410)
        crawl(tmp_path, site)
        last = runs(tmp_path)[-1]
    assert last["articles_unchanged"] == 1 and last["articles_gone"] == 1
    engine = create_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
    with engine.connect() as conn:
        status = dict(conn.execute(text("SELECT url, status FROM articles")).all())
    engine.dispose()
    assert status == {f"{base}/a/1": "ok", f"{base}/a/2": "gone"}


def runs(tmp_path: Path) -> list[dict]:
    engine = create_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
    with engine.connect() as conn:
        rows = [
            dict(r._mapping) for r in conn.execute(text("SELECT * FROM crawl_runs ORDER BY id"))
        ]
    engine.dispose()
    return rows
