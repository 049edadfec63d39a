"""The hostile web: crawl traps, oversized and compressed bodies, broken charsets and HTML,
redirect games, private addresses, slow and rate-limiting servers, pages that disappear,
robots.txt, messy URLs and empty articles — each served on its own loopback address by
tests/hostile_server.py and crawled by the real `syndetect crawl` in a subprocess.

Each module fixture runs one crawl; the tests read what it left (the database, the server's
request log, stderr) so that every behaviour passes or fails on its own. Every crawl must keep
the good articles of the site, finish in bounded time and, where something was refused, say so
in a log line. docs/reliability.md summarises the outcomes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import zlib
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI, TEST_CRAWL, syndetect_ok
from hostile_server import HostileWeb, Reply, Request, serve
from sqlalchemy import create_engine, text

# Short limits so that timeouts and retries cost seconds; INFO so that refusals are visible.
SETTINGS: dict[str, Any] = {
    **TEST_CRAWL,
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "INFO",
}

PROSE = (
    "The regional water board of {town} confirmed on Tuesday that {n} villages will be "
    "connected to the new reservoir before the winter, after a decade of delays that residents "
    "blamed on disputes over land, permits and money.",
    "Chief engineer Marit Olsvold-Brenn told reporters that the pipeline, {km} kilometres long, "
    "had passed its final pressure test and that the first deliveries could begin within weeks.",
    "Farmers in the valley have relied on trucked water since the drought of {year}, paying as "
    "much as {n}0 euros a cubic metre, according to figures published by the cooperative.",
    "Opposition councillors welcomed the news but asked for an independent audit of the "
    "project, whose budget grew from {n}.{km} million euros to almost twice that amount.",
)
TOWNS = ("Alvern", "Brekkestad", "Cordova Alta", "Dunmore", "Eskerud", "Falkhaven", "Grenloch")


def story_body(n: int, extra: str = "") -> str:
    """Four paragraphs of news prose (about 110 words), different for every n."""
    values = {"town": TOWNS[n % len(TOWNS)], "n": n, "km": 10 + n * 3, "year": 1990 + n}
    paragraphs = [f"<p>{p.format(**values)}</p>" for p in PROSE]
    if extra:
        paragraphs.insert(2, extra)
    return "".join(paragraphs)


def story(n: int, extra: str = "", head: str = "", tail: str = "") -> str:
    """A complete article page (Open Graph type article) with a menu and a footer."""
    title = f"Reservoir {n} opens in {TOWNS[n % len(TOWNS)]}"
    return (
        f'<html lang="en"><head><title>{title}</title>{head}'
        '<meta property="og:type" content="article"></head><body>'
        '<nav><a href="/">Home</a> <a href="/about/">About</a></nav>'
        f"<article><h1>{title}</h1>{story_body(n, extra)}</article>{tail}"
        "<footer>© The Valley Courier</footer></body></html>"
    )


def html(text_: str, content_type: str = "text/html; charset=utf-8", **kwargs: Any) -> Reply:
    return Reply(text_.encode("utf-8"), content_type=content_type, **kwargs)


def listing(links: list[str], extra: str = "") -> Reply:
    items = "".join(f'<li><a href="{href}">Story</a></li>' for href in links)
    return html(f"<html><body><h1>Latest</h1><ul>{items}</ul>{extra}</body></html>")


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(b"", status=status, headers=(("Location", location),))


# -- running the CLI ---------------------------------------------------------------------------


@dataclass
class Crawl:
    db: str
    stderr: str
    seconds: float

    def rows(self, sql: str, **params: Any) -> list[dict]:
        engine = create_engine(self.db)
        try:
            with engine.connect() as conn:
                return [dict(row._mapping) for row in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def articles(self) -> dict[str, dict]:
        return {row["url"]: row for row in self.rows("SELECT url, status, text FROM articles")}

    def log(self, *needles: str) -> list[str]:
        """Log lines of level INFO or above containing every needle."""
        return [
            line
            for line in self.stderr.splitlines()
            if re.search(r" (INFO|WARNING|ERROR|CRITICAL): ", line)
            and all(needle in line for needle in needles)
        ]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def run_crawl(
    directory: Path,
    sites: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    db: str | None = None,
) -> Crawl:
    """`syndetect crawl` (not --quiet: its log lines are the point) over `sites`."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["[crawl]"]
    lines += [
        f"{key} = {toml_value(value)}" for key, value in {**SETTINGS, **(settings or {})}.items()
    ]
    for site in sites:
        lines += ["", "[[site]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in site.items()]
    config = directory / "sites.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = db or f"sqlite:///{directory / 'crawl.db'}"
    started = time.monotonic()
    result = subprocess.run(
        [*CLI, "--db", db, "crawl", str(config)],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    return Crawl(db, result.stderr, seconds)


def site(name: str, base: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "role": "suspect", "start_urls": [f"{base}/"], **extra}


def assert_bounded(crawl: Crawl, seconds: float) -> None:
    assert crawl.seconds < seconds, f"crawl took {crawl.seconds:.1f}s (limit {seconds}s)"


# -- 1. crawl traps: infinite calendar, ever-growing query strings, session ids ---------------


def calendar_page(request: Request) -> Reply | None:
    match = re.fullmatch(r"/calendar/(\d{4})/(\d{2})/", request.path)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
    next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
    return listing(
        [f"/calendar/{prev_y}/{prev_m:02d}/", f"/calendar/{next_y}/{next_m:02d}/", "/news/1"]
    )


def repeated_parameter(request: Request) -> Reply:
    """/browse?page=1 links to /browse?page=1&sort=asc, then …&sort=asc&sort=asc, forever (a
    link built by appending to the current query)."""
    return listing([f"{request.target}&sort=asc", "/news/2"])


def new_parameter(request: Request) -> Reply:
    """/filter?page=1 links to /filter?f1=1&page=1, then …&f2=1, forever (facets)."""
    return listing([f"{request.target}&f{len(request.query)}=1", "/news/2"])


def session_article(n: int) -> Any:
    def reply(request: Request) -> Reply:
        fresh = f"{time.monotonic_ns():x}"
        return html(
            story(
                n,
                tail=f'<a href="/?sessionid={fresh}">Home</a>'
                f'<a href="/news/{n};jsessionid={fresh.upper()}">Permalink</a>'
                f'<a href="/news/{n}?sessionid={fresh}&amp;PHPSESSID={fresh}">Share</a>',
            )
        )

    return reply


@pytest.fixture(scope="module")
def traps(tmp_path_factory):
    with serve({"traps": "127.0.0.50"}) as web:
        base = web.bases["traps"]
        web.routes["traps"] = {
            "/": listing(
                [
                    "/news/1",
                    "/news/2",
                    "/news/3?PHPSESSID=4f2a9c",
                    "/news/4;jsessionid=A1B2C3D4",
                    "/calendar/2026/03/",
                    "/browse?page=1",
                    "/filter?page=1",
                ]
            ),
            "/browse": repeated_parameter,
            "/filter": new_parameter,
            **{f"/news/{n}": session_article(n) for n in range(1, 5)},
        }
        web.fallback["traps"] = calendar_page
        crawl = run_crawl(tmp_path_factory.mktemp("traps"), [site("traps", base)])
        yield crawl, web, base


def test_traps_keep_the_good_articles_and_end(traps):
    crawl, web, base = traps
    assert sorted(crawl.articles()) == [f"{base}/news/{n}" for n in range(1, 5)]
    assert_bounded(crawl, 60)


def test_infinite_calendar_is_cut_and_logged(traps):
    crawl, web, base = traps
    calendar = [p for p in web.paths("traps") if p.startswith("/calendar/")]
    # UNPRODUCTIVE_PAGES_PER_SHAPE (40) pages, plus at most as many already in flight.
    assert 40 <= len(calendar) <= 80, f"{len(calendar)} calendar pages fetched"
    assert crawl.log("crawl trap skipped", "/calendar/N/N/"), crawl.stderr[-3000:]


@pytest.mark.parametrize("path", ["/browse", "/filter"])
def test_ever_growing_query_string_is_cut_and_logged(traps, path):
    crawl, web, base = traps
    pages = web.paths("traps").count(path)
    # Bounded by the trap guard, not by Scrapy's URLLENGTH_LIMIT (2083 characters: ~300 pages).
    assert 1 <= pages <= 80, f"{pages} pages of {path} fetched"
    assert crawl.log("crawl trap skipped", path), crawl.stderr[-3000:]


def test_session_ids_never_sent_and_article_fetched_once(traps):
    crawl, web, base = traps
    targets = [hit.target for hit in web.requests_to("traps")]
    assert not [t for t in targets if re.search(r"sid=|jsessionid|phpsessid", t, re.I)]
    for n in range(1, 5):
        assert targets.count(f"/news/{n}") == 1, (n, targets)
    assert targets.count("/") == 1


# -- 2. bodies: over DOWNLOAD_MAXSIZE, gzip bomb, binary as HTML, malformed HTML, garbage ------

MAXSIZE = 64 * 1024


def gzip_bytes(data: bytes, padding: int = 0) -> bytes:
    """gzip of `data` followed by `padding` spaces (streamed: a bomb costs no memory here)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [compressor.compress(data)]
    block = b" " * (1 << 20)
    for _ in range(padding >> 20):
        out.append(compressor.compress(block))
    out.append(compressor.flush())
    return b"".join(out)


MALFORMED = (
    '<html lang="en"><head><title>Reservoir 7 opens</title><meta property="og:type" '
    "content=article><body><div id=main><<>> &&amp;&#xZZ; <span class=a'b><article>"
    "<h1>Reservoir 7 opens"
    "<p>The regional water board of Falkhaven confirmed on Tuesday that 7 villages will be "
    "connected to the new reservoir before the winter <b>after a decade of delays</i> that "
    "residents blamed on disputes over land, permits and money.</div></div></span>"
    "<p>Chief engineer Marit Olsvold-Brenn told reporters that the pipeline, 31 kilometres "
    "long, had passed its final pressure test <font size=+1>and that the first deliveries could "
    "begin within weeks.<p>Farmers in the valley have relied on trucked water since the drought "
    "of 1997, paying as much as 70 euros a cubic metre, according to figures published by the "
    "cooperative.<p>Opposition councillors welcomed the news but asked for an independent audit "
    "of the project, whose budget grew to almost twice the sum first announced in parliament"
)


@pytest.fixture(scope="module")
def bodies(tmp_path_factory):
    big = story(10, tail="<!--" + "x" * (5 * MAXSIZE) + "-->").encode()
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
    garbage = bytes((i * 7919) % 95 + 32 for i in range(20000)) + b"<<<<>>>>&&&"
    with serve({"bodies": "127.0.0.52"}) as web:
        base = web.bases["bodies"]
        web.routes["bodies"] = {
            "/": listing(
                [
                    "/news/1",
                    "/news/2",
                    "/news/3",
                    "/big",
                    "/big-stream",
                    "/bomb",
                    "/binary",
                    "/malformed",
                    "/garbage",
                    "/empty",
                    "/truncated",
                ]
            ),
            "/news/1": html(story(1)),
            "/news/2": html(story(2)),
            # A legitimate gzip-encoded article: compression itself must keep working.
            "/news/3": Reply(
                gzip_bytes(story(3).encode()),
                content_type="text/html; charset=utf-8",
                headers=(("Content-Encoding", "gzip"),),
            ),
            "/big": Reply(big),
            "/big-stream": Reply(big, length=None),
            # ~40 KB on the wire, 40 MB once inflated; the article text comes first, so a
            # crawler that inflated it all would store it.
            "/bomb": Reply(
                gzip_bytes(story(11).encode(), padding=40 << 20),
                headers=(("Content-Encoding", "gzip"),),
            ),
            "/binary": Reply(binary),
            "/malformed": Reply(MALFORMED.encode()),
            "/garbage": Reply(garbage),
            "/empty": Reply(b""),
            "/truncated": Reply(story(12).encode()[:600], length=8000),
        }
        crawl = run_crawl(
            tmp_path_factory.mktemp("bodies"),
            [site("bodies", base)],
            {"DOWNLOAD_MAXSIZE": MAXSIZE},
        )
        yield crawl, web, base


def test_bad_bodies_keep_the_good_articles_and_end(bodies):
    crawl, web, base = bodies
    assert sorted(crawl.articles()) == [
        f"{base}/malformed",
        f"{base}/news/1",
        f"{base}/news/2",
        f"{base}/news/3",
    ]
    assert_bounded(crawl, 60)


def test_page_over_download_maxsize_is_dropped_and_logged(bodies):
    crawl, web, base = bodies
    assert f"{base}/big" not in crawl.articles()
    assert f"{base}/big-stream" not in crawl.articles()
    assert crawl.log(f"{base}/big>", "larger than download max size"), crawl.stderr[-3000:]
    assert crawl.log(f"{base}/big-stream>", "larger than download max size")


def test_gzip_bomb_is_stopped_at_download_maxsize_and_logged(bodies):
    crawl, web, base = bodies
    assert f"{base}/bomb" not in crawl.articles()
    assert crawl.log(f"{base}/bomb>", f"exceeded DOWNLOAD_MAXSIZE ({MAXSIZE} B)"), crawl.stderr[
        -3000:
    ]


def test_binary_served_as_html_is_skipped_and_logged(bodies):
    crawl, web, base = bodies
    assert f"{base}/binary" not in crawl.articles()
    assert crawl.log("binary content served as HTML", f"{base}/binary"), crawl.stderr[-3000:]


def test_malformed_html_article_is_stored_whole(bodies):
    crawl, web, base = bodies
    stored = crawl.articles()[f"{base}/malformed"]["text"]
    assert "after a decade of delays" in stored
    assert "twice the sum first announced in parliament" in stored


def crashed(crawl: Crawl) -> list[str]:
    """Signs that syndetect's own code (callbacks, pipelines, signals) raised; Scrapy's
    "Error downloading" tracebacks for failed downloads are not crashes."""
    return re.findall(
        r"spider_exceptions/\S+|Error processing .*|Error caught on signal.*|Spider error.*",
        crawl.stderr,
    )


def test_garbage_empty_and_truncated_bodies_do_not_crash(bodies):
    crawl, web, base = bodies
    assert crashed(crawl) == []
    for path in ("/garbage", "/empty", "/truncated"):
        assert f"{base}{path}" not in crawl.articles()
    assert crawl.log(f"{base}/truncated"), crawl.stderr[-3000:]
    runs = crawl.rows("SELECT status FROM crawl_runs")
    assert [run["status"] for run in runs] == ["finished"]


# -- 3. charsets --------------------------------------------------------------------------------

NON_ASCII = ("señora", "Ærøskøbing", "déjà", "12 €")
WORDS_PARAGRAPH = (
    "<p>At the ceremony the mayor of Ærøskøbing thanked the señora who led the cooperative, "
    "saying that she had déjà vu, and the entry ticket cost 12 € for adults.</p>"
)


def charset_page(n: int, encoding: str, head: str = "", prefix: bytes = b"") -> bytes:
    page = story(n, extra=WORDS_PARAGRAPH, head=head)
    if prefix.startswith(b"<?xml"):
        page = page.replace('<html lang="en">', '<html xmlns="http://www.w3.org/1999/xhtml">')
    return prefix + page.encode(encoding)


XML_DECLARATION = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
    b'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
)
# case: (bytes, Content-Type header)
CHARSET_CASES = {
    "declared-utf8-bytes-cp1252": (charset_page(20, "cp1252"), "text/html; charset=utf-8"),
    "bom-utf8-header-latin1": (
        charset_page(21, "utf-8", prefix=b"\xef\xbb\xbf"),
        "text/html; charset=iso-8859-1",
    ),
    "header-latin1-meta-utf8-bytes-utf8": (
        charset_page(22, "utf-8", head='<meta charset="utf-8">'),
        "text/html; charset=iso-8859-1",
    ),
    "meta-cp1252-no-header-charset": (
        charset_page(23, "cp1252", head='<meta charset="windows-1252">'),
        "text/html",
    ),
    "meta-utf8-bytes-cp1252": (
        charset_page(
            24,
            "cp1252",
            head='<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        ),
        "text/html",
    ),
    "no-charset-bytes-cp1252": (charset_page(25, "cp1252"), "text/html"),
    "no-charset-bytes-utf8": (charset_page(26, "utf-8"), "text/html"),
    "utf16-bom": (charset_page(27, "utf-16-le", prefix=b"\xff\xfe"), "text/html"),
    "xhtml-xml-declaration": (
        charset_page(28, "utf-8", prefix=XML_DECLARATION),
        "text/html; charset=utf-8",
    ),
}


@pytest.fixture(scope="module")
def charsets(tmp_path_factory):
    with serve({"charsets": "127.0.0.54"}) as web:
        base = web.bases["charsets"]
        web.routes["charsets"] = {
            "/": listing([f"/enc/{case}" for case in CHARSET_CASES]),
            **{
                f"/enc/{case}": Reply(body, content_type=content_type)
                for case, (body, content_type) in CHARSET_CASES.items()
            },
        }
        crawl = run_crawl(tmp_path_factory.mktemp("charsets"), [site("charsets", base)])
        yield crawl, web, base


@pytest.mark.parametrize("case", list(CHARSET_CASES))
def test_charset_is_decoded_correctly(charsets, case):
    crawl, web, base = charsets
    articles = crawl.articles()
    url = f"{base}/enc/{case}"
    assert url in articles, f"{case}: not stored; stored: {sorted(articles)}"
    sentence = next(
        (line for line in articles[url]["text"].splitlines() if "At the ceremony" in line), ""
    )
    assert sentence, f"{case}: the paragraph with the non-ASCII words was not stored"
    for word in NON_ASCII:
        assert word in sentence, f"{case}: {word!r} missing, stored: {sentence!r}"


def test_charset_crawl_ends(charsets):
    crawl, web, base = charsets
    assert_bounded(crawl, 60)
    assert crashed(crawl) == []


# -- 4. redirects: loops, to another site, to loopback / private / link-local addresses --------


@pytest.fixture(scope="module")
def redirects(tmp_path_factory):
    addresses = {"hops": "127.0.0.56", "other": "127.0.0.57", "internal": "127.0.0.58"}
    with serve(addresses) as web:
        base, other, internal = (web.bases[name] for name in addresses)
        web.routes["hops"] = {
            "/": listing(
                [
                    "/news/1",
                    "/moved",
                    "/loop-a",
                    "/self",
                    "/grow?n=1",
                    "/away",
                    "/to-loopback",
                    "/to-private",
                    "/to-link-local",
                ]
            ),
            "/news/1": html(story(30)),
            "/news/2": html(story(31)),
            "/moved": redirect("/news/2", 301),
            "/loop-a": redirect("/loop-b"),
            "/loop-b": redirect("/loop-a"),
            "/self": redirect("/self", 307),
            "/grow": lambda r: redirect(f"/grow?n={int(r.query.get('n', '0')) + 1}"),
            "/away": redirect(f"{other}/stolen"),
            "/to-loopback": redirect(f"{internal}/admin"),
            "/to-private": redirect("http://10.255.255.1/admin"),
            "/to-link-local": redirect("http://169.254.169.254/latest/meta-data/"),
        }
        web.routes["other"] = {"/stolen": html(story(32))}
        web.routes["internal"] = {"/admin": html(story(33))}
        crawl = run_crawl(tmp_path_factory.mktemp("redirects"), [site("hops", base)])
        yield crawl, web, (base, other, internal)


def test_redirects_keep_the_good_articles_and_end(redirects):
    crawl, web, (base, other, internal) = redirects
    # The in-site 301 is followed and stored under its target.
    assert sorted(crawl.articles()) == [f"{base}/news/1", f"{base}/news/2"]
    assert_bounded(crawl, 60)


def test_redirect_loops_are_bounded(redirects):
    crawl, web, (base, other, internal) = redirects
    paths = web.paths("hops")
    assert paths.count("/loop-a") <= 2 and paths.count("/loop-b") <= 2, paths
    assert 1 <= paths.count("/self") <= 2, paths
    # REDIRECT_MAX_TIMES = 5: the first request and five hops.
    assert paths.count("/grow") <= 6, paths


def test_redirect_loops_are_logged(redirects):
    crawl, web, (base, other, internal) = redirects
    for path in ("/loop-", "/self", "/grow"):
        lines = [line for line in crawl.log(f"{base}{path}") if "redirect" in line.lower()]
        assert lines, f"no log line about the redirect loop at {path}"


def test_redirects_off_site_and_to_internal_addresses_are_blocked_and_logged(redirects):
    crawl, web, (base, other, internal) = redirects
    assert web.requests_to("other") == []
    assert web.requests_to("internal") == []
    for target, origin in (
        (f"{other}/stolen", "/away"),
        (f"{internal}/admin", "/to-loopback"),
        ("http://10.255.255.1/admin", "/to-private"),
        ("http://169.254.169.254/latest/meta-data/", "/to-link-local"),
    ):
        assert crawl.log("blocked request outside site 'hops'", target, f"{base}{origin}"), (
            target,
            crawl.stderr[-3000:],
        )


# -- 5. a public site (through a proxy) pointing at private addresses -------------------------


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    """`news.example` is served through an HTTP proxy on loopback: the site itself is not on a
    private address, as in production; its links and redirects point into private ranges."""
    with serve({"proxy": "127.0.0.60", "canary": "127.0.0.61"}) as web:
        canary = web.bases["canary"]
        web.vhosts["news.example"] = "public"
        web.routes["public"] = {
            "/": listing(
                [
                    "/news/1",
                    "/news/2",
                    f"{canary}/link",
                    "http://10.0.0.1/link",
                    "http://192.168.1.1/link",
                    "http://169.254.169.254/latest/meta-data/",
                    "http://[::1]/link",
                    "http://localhost/link",
                    "/go-loopback",
                    "/go-private",
                    "/go-link-local",
                    "/go-userinfo",
                ]
            ),
            "/news/1": html(story(40)),
            "/news/2": html(story(41)),
            "/go-loopback": redirect(f"{canary}/redirect"),
            "/go-private": redirect("http://192.168.1.1/admin"),
            "/go-link-local": redirect("http://169.254.169.254/latest/meta-data/iam/"),
            "/go-userinfo": redirect(f"http://news.example@{canary[len('http://') :]}/userinfo"),
        }
        web.routes["canary"] = {"/link": html(story(42)), "/redirect": html(story(43))}
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "all_proxy")}
        env["http_proxy"] = env["HTTP_PROXY"] = web.bases["proxy"]
        crawl = run_crawl(
            tmp_path_factory.mktemp("public"),
            [site("public", "http://news.example")],
            env=env,
        )
        yield crawl, web, canary


def test_public_site_keeps_its_articles(public_site):
    crawl, web, canary = public_site
    assert sorted(crawl.articles()) == ["http://news.example/news/1", "http://news.example/news/2"]
    assert_bounded(crawl, 60)


def test_private_addresses_are_never_fetched(public_site):
    crawl, web, canary = public_site
    # Through the proxy, any host but news.example would be recorded under "proxy".
    assert [hit.target for hit in web.requests_to("proxy")] == []
    assert web.requests_to("canary") == []


def test_redirects_to_private_addresses_are_logged(public_site):
    crawl, web, canary = public_site
    for target, origin in (
        (f"{canary}/redirect", "/go-loopback"),
        ("http://192.168.1.1/admin", "/go-private"),
        ("http://169.254.169.254/latest/meta-data/iam/", "/go-link-local"),
        ("/userinfo", "/go-userinfo"),
    ):
        assert crawl.log(
            "blocked request outside site 'public'", target, f"http://news.example{origin}"
        ), (target, crawl.stderr[-3000:])


# -- 6. slow servers, 429 and 503 with Retry-After ---------------------------------------------


def limited_once(status: int, retry_after: Any, n: int) -> Any:
    """The first request gets `status` with Retry-After; the next ones the article."""

    def reply(request: Request) -> Reply:
        if request.seen == 0:
            value = retry_after() if callable(retry_after) else retry_after
            return html(
                "<html><body>Slow down</body></html>",
                status=status,
                headers=(("Retry-After", value),),
            )
        return html(story(n))

    return reply


RETRY_CAP = 3


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    addresses = {"r429": "127.0.0.62", "r503": "127.0.0.63", "rdate": "127.0.0.64"}
    addresses["slow"] = "127.0.0.65"
    with serve(addresses) as web:
        web.routes["r429"] = {"/": listing(["/news/1"]), "/news/1": limited_once(429, "2", 50)}
        web.routes["r503"] = {
            "/": listing(["/news/1"]),
            "/news/1": limited_once(503, "86400", 51),  # a day: capped
        }
        web.routes["rdate"] = {
            "/": listing(["/news/1"]),
            "/news/1": limited_once(503, lambda: formatdate(time.time() + 4, usegmt=True), 52),
        }
        web.routes["slow"] = {
            "/": listing(["/news/1", "/slow-head", "/slow-drip"]),
            "/news/1": html(story(53)),
            "/slow-head": html(story(54), delay=30),
            "/slow-drip": html(story(55), drip=0.5, chunk=16),
        }
        crawl = run_crawl(
            tmp_path_factory.mktemp("slow"),
            [site(name, web.bases[name]) for name in addresses],
            {"SYNDETECT_MAX_RETRY_AFTER": RETRY_CAP},
        )
        yield crawl, web


def test_slow_and_limited_sites_keep_their_articles_and_end(slow):
    crawl, web = slow
    assert sorted(crawl.articles()) == sorted(
        f"{web.bases[name]}/news/1" for name in ("r429", "r503", "rdate", "slow")
    )
    # Two 3 s timeouts on the slow pages and a 3 s cap on Retry-After, not 30 s or a day.
    assert_bounded(crawl, 45)


def test_slow_responses_time_out_and_are_logged(slow):
    crawl, web = slow
    base = web.bases["slow"]
    for path in ("/slow-head", "/slow-drip"):
        assert f"{base}{path}" not in crawl.articles()
        assert web.paths("slow").count(path) == 2  # RETRY_TIMES = 1
        assert crawl.log(f"{base}{path}", "took longer than 3.0 seconds"), crawl.stderr[-3000:]


def gap(web: HostileWeb, name: str) -> float:
    times = web.times(name, "/news/1")
    assert len(times) == 2, times
    return times[1] - times[0]


def test_429_retry_after_seconds_is_honoured(slow):
    crawl, web = slow
    assert gap(web, "r429") >= 2.0
    assert crawl.log(f"{web.bases['r429']}/news/1 answered 429: waiting 2s")


def test_503_retry_after_is_capped(slow):
    crawl, web = slow
    assert RETRY_CAP <= gap(web, "r503") < RETRY_CAP + 5
    assert crawl.log(f"{web.bases['r503']}/news/1 answered 503: waiting {RETRY_CAP}s")


def test_503_retry_after_http_date_is_honoured(slow):
    crawl, web = slow
    assert gap(web, "rdate") >= 2.5
    assert crawl.log(f"{web.bases['rdate']}/news/1 answered 503: waiting")


# -- 7. stored articles that disappear (404/410) ------------------------------------------------


def sitemap(base: str, paths: list[str]) -> Reply:
    entries = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>"
    )
    return Reply(body.encode(), content_type="application/xml")


@pytest.fixture(scope="module")
def gone(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gone")
    db = f"sqlite:///{directory / 'crawl.db'}"
    with serve({"gone": "127.0.0.66"}) as web:
        base = web.bases["gone"]
        everything = [f"/news/{n}" for n in range(1, 5)]
        web.routes["gone"] = {
            "/": listing(everything),
            "/sitemap.xml": sitemap(base, everything),
            **{f"/news/{n}": html(story(60 + n)) for n in range(1, 5)},
        }
        # Stored articles are fetched again at once (the default waits 7 days).
        config = [site("gone", base, recheck_after="0s")]
        first = run_crawl(directory / "1", config, db=db)
        snapshots = [first.articles()]
        # /news/1 answers 404 and /news/2 410, still listed; /news/3 is deleted and unlisted,
        # as a publisher removes an article; /news/4 is unchanged.
        still_listed = ["/news/1", "/news/2", "/news/4"]
        web.routes["gone"].update(
            {
                "/": listing(still_listed),
                "/sitemap.xml": sitemap(base, still_listed),
                "/news/1": Reply(b"<html><body>Not found</body></html>", status=404),
                "/news/2": Reply(b"<html><body>Gone</body></html>", status=410),
                "/news/3": Reply(b"<html><body>Not found</body></html>", status=404),
            }
        )
        second = run_crawl(directory / "2", config, db=db)
        snapshots.append(second.articles())
        # /news/1 comes back.
        web.routes["gone"]["/news/1"] = html(story(61))
        third = run_crawl(directory / "3", config, db=db)
        snapshots.append(third.articles())
        yield second, snapshots, base, web


def test_disappeared_articles_are_kept(gone):
    second, (first, after, _), base, web = gone
    assert sorted(first) == [f"{base}/news/{n}" for n in range(1, 5)]
    assert sorted(after) == sorted(first)  # nothing deleted
    assert after[f"{base}/news/1"]["text"] == first[f"{base}/news/1"]["text"]
    assert after[f"{base}/news/4"]["status"] == "ok"
    assert_bounded(second, 60)


def test_404_and_410_mark_linked_articles_gone(gone):
    second, (first, after, _), base, web = gone
    assert after[f"{base}/news/1"]["status"] == "gone"
    assert after[f"{base}/news/2"]["status"] == "gone"
    runs = second.rows("SELECT articles_gone FROM crawl_runs ORDER BY id")
    assert runs[1]["articles_gone"] >= 2


def test_unlinked_stored_article_is_rechecked_and_marked_gone(gone):
    """A deleted article also leaves the home page and the sitemap: only a re-check of the
    stored URLs can see its 404."""
    second, (first, after, _), base, web = gone
    assert after[f"{base}/news/3"]["status"] == "gone"


def test_gone_articles_are_logged(gone):
    second, snapshots, base, web = gone
    for path in ("/news/1", "/news/2"):
        lines = [line for line in second.log(f"{base}{path}") if "gone" in line.lower()]
        assert lines, f"no log line saying {path} is gone"


def test_gone_article_that_returns_is_ok_again(gone):
    second, (first, after, last), base, web = gone
    assert last[f"{base}/news/1"]["status"] == "ok"
    assert last[f"{base}/news/2"]["status"] == "gone"


# -- 8. robots.txt --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def robots(tmp_path_factory):
    with serve({"robots": "127.0.0.68"}) as web:
        base = web.bases["robots"]
        web.routes["robots"] = {
            "/robots.txt": Reply(
                (
                    "User-agent: *\nDisallow: /private/\nDisallow: /drafts\n\n"
                    "User-agent: syndetect\nDisallow: /private/\nDisallow: /drafts\n"
                    "Disallow: /members/\n\n"
                    f"Sitemap: {base}/sitemap.xml\n"
                ).encode(),
                content_type="text/plain",
            ),
            "/sitemap.xml": sitemap(base, ["/news/1", "/private/leak", "/drafts-2026/budget"]),
            "/": listing(["/news/2", "/private/secret", "/members/only"]),
            "/news/1": html(story(70)),
            "/news/2": html(story(71)),
        }
        # Were a disallowed page fetched, it would be an article and stored.
        web.fallback["robots"] = lambda request: (
            html(story(72))
            if request.path.startswith(("/private", "/drafts", "/members"))
            else None
        )
        crawl = run_crawl(tmp_path_factory.mktemp("robots"), [site("robots", base)])
        yield crawl, web, base


def test_robots_disallowed_pages_are_never_requested(robots):
    crawl, web, base = robots
    assert sorted(crawl.articles()) == [f"{base}/news/1", f"{base}/news/2"]
    requested = web.paths("robots")
    assert not [p for p in requested if p.startswith(("/private", "/drafts", "/members"))]
    assert "/robots.txt" in requested
    assert_bounded(crawl, 60)


def test_robots_disallowed_pages_are_logged(robots):
    crawl, web, base = robots
    for path in ("/private/secret", "/private/leak", "/members/only"):
        lines = [line for line in crawl.log(f"{base}{path}") if "robots" in line.lower()]
        assert lines, f"no log line saying robots.txt forbids {path}"


# -- 9. duplicate, tracking, non-ASCII and percent-encoded URLs ---------------------------------


def when_query(expected: str, n: int) -> Any:
    """The article only for the exact raw query string `expected`."""
    return lambda request: (
        html(story(n)) if request.target.split("?", 1)[-1] == expected else Reply(b"", 404)
    )


@pytest.fixture(scope="module")
def urls(tmp_path_factory):
    with serve({"urls": "127.0.0.70"}) as web:
        base = web.bases["urls"]
        web.routes["urls"] = {
            "/": listing(
                [
                    "/news/1?utm_source=twitter&amp;utm_medium=social",
                    "/news/1#comments",
                    "/news/1?fbclid=IwAR3xyz",
                    f"{base}/news/1?gclid=abc#top",
                    "/news/1",
                    "/news/2?b=2&amp;a=1",
                    "/news/2?a=1&amp;b=2&amp;utm_campaign=spring",
                    "/nachrichten/straße-über",
                    "/nachrichten/stra%C3%9Fe-%C3%BCber",
                    "/nachrichten/stra%c3%9fe-%c3%bcber#kommentare",
                    "/suche?ort=Zürich",
                    "/suche?ort=Z%C3%BCrich&amp;ref_src=twsrc",
                    "/archiv?id=caf%E9",
                ]
            ),
            "/news/1": html(story(80)),
            "/news/2": html(story(81)),
            "/nachrichten/straße-über": html(story(82)),
            "/suche": when_query("ort=Z%C3%BCrich", 83),
            # A legacy Latin-1 percent-encoded query: only these bytes name the page.
            "/archiv": when_query("id=caf%E9", 84),
        }
        crawl = run_crawl(tmp_path_factory.mktemp("urls"), [site("urls", base)])
        yield crawl, web, base


def test_tracking_parameters_and_fragments_give_one_url(urls):
    crawl, web, base = urls
    stored = crawl.articles()
    assert f"{base}/news/1" in stored
    assert f"{base}/news/2?a=1&b=2" in stored
    assert not [u for u in stored if re.search(r"utm_|fbclid|gclid|ref_src=|#", u)]
    assert web.paths("urls").count("/news/1") == 1
    assert web.paths("urls").count("/news/2") == 1
    assert_bounded(crawl, 60)


def test_non_ascii_and_percent_encoded_urls_give_one_canonical_url(urls):
    crawl, web, base = urls
    stored = crawl.articles()
    assert f"{base}/nachrichten/stra%C3%9Fe-%C3%BCber" in stored
    assert f"{base}/suche?ort=Z%C3%BCrich" in stored
    assert web.paths("urls").count("/nachrichten/straße-über") == 1
    assert sorted(u for u in stored if "/nachrichten/" in u or "/suche" in u) == [
        f"{base}/nachrichten/stra%C3%9Fe-%C3%BCber",
        f"{base}/suche?ort=Z%C3%BCrich",
    ]


def test_legacy_percent_encoded_query_is_requested_as_linked(urls):
    crawl, web, base = urls
    targets = [hit.target for hit in web.requests_to("urls") if hit.path == "/archiv"]
    assert targets == ["/archiv?id=caf%E9"]
    assert f"{base}/archiv?id=caf%E9" in crawl.articles()


def test_url_variants_store_each_article_once(urls):
    crawl, web, base = urls
    rows = crawl.rows("SELECT content_hash, url FROM articles ORDER BY url")
    by_text: dict[str, list[str]] = {}
    for row in rows:
        by_text.setdefault(row["content_hash"], []).append(row["url"])
    assert [urls for urls in by_text.values() if len(urls) > 1] == []


# -- 10. article pages with no text or only boilerplate -----------------------------------------

COOKIE_BANNER = (
    '<div class="cookie-banner" id="cookie-consent"><p>We and our 847 partners use cookies and '
    "similar technologies to store and access information on your device, to personalise "
    "content and advertising, to measure the audience of our pages and to improve our "
    "services. You can accept all cookies, refuse them or choose which purposes you allow by "
    "clicking on settings; you can change your mind at any time from the privacy page linked "
    "at the bottom of every page of this website.</p><button>Accept all</button>"
    "<button>Refuse</button></div>"
)
FOOTER = (
    '<footer class="site-footer"><p>The Valley Courier is an independent regional newspaper '
    "founded by a group of journalists, printers and readers who believe that local news "
    "matters. We cover politics, business, culture and sport in the valley and its towns, and "
    "we publish corrections promptly. Our newsroom follows the code of practice of the press "
    "council; complaints can be sent to the editor by post or by email at any time.</p>"
    "<p>© 2026 The Valley Courier. All rights reserved.</p></footer>"
)
SHARE = (
    '<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> '
    '<a href="#">Email</a></div>'
)
RELATED = (
    '<aside class="related"><h3>Related posts</h3><ul>'
    + "".join(f'<li><a href="/news/{n}">Reservoir {n} opens</a></li>' for n in (1, 2))
    + "</ul></aside>"
)
COMMENTS = (
    '<div id="respond"><h3>Leave a Reply</h3><form><p>Your email address will not be '
    "published. Required fields are marked *</p><textarea></textarea>"
    "<button>Post Comment</button></form></div>"
)


def shell(article: str) -> str:
    """A content-farm theme around `article`: everything a theme adds, nothing more."""
    return (
        '<html lang="en"><head><title>Reservoir news | The Valley Courier</title>'
        '<meta property="og:type" content="article"></head><body>'
        '<nav class="menu"><a href="/">Home</a> <a href="/politics/">Politics</a> '
        '<a href="/business/">Business</a> <a href="/sport/">Sport</a></nav>'
        f"{COOKIE_BANNER}<main><article>{article}</article>{SHARE}{RELATED}{COMMENTS}</main>"
        f"{FOOTER}</body></html>"
    )


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    with serve({"empty": "127.0.0.72"}) as web:
        base = web.bases["empty"]
        web.routes["empty"] = {
            "/": listing(["/news/1", "/news/2", "/news/empty", "/news/boiler", "/news/teaser"]),
            "/news/1": html(story(90)),
            "/news/2": html(story(91)),
            "/news/empty": html(shell("")),
            "/news/boiler": html(shell("<h1>Reservoir news</h1>")),
            "/news/teaser": html(
                shell(
                    "<h1>Reservoir 9 opens</h1><p>The water board confirmed the opening on "
                    "Tuesday.</p><p class='paywall'>Subscribe to read the full story.</p>"
                )
            ),
        }
        directory = tmp_path_factory.mktemp("empty")
        crawl = run_crawl(directory, [site("empty", base)])
        syndetect_ok("--db", crawl.db, "--quiet", "match")
        yield crawl, base


def test_empty_and_boilerplate_pages_are_not_stored(empty):
    crawl, base = empty
    assert sorted(crawl.articles()) == [f"{base}/news/1", f"{base}/news/2"]
    assert_bounded(crawl, 60)


def test_only_real_articles_are_fingerprinted(empty):
    crawl, base = empty
    fingerprinted = crawl.rows(
        "SELECT a.url FROM fingerprints f JOIN articles a ON a.id = f.article_id"
    )
    assert sorted(row["url"] for row in fingerprinted) == [f"{base}/news/1", f"{base}/news/2"]
    assert crawl.rows("SELECT id FROM matches") == []


def test_empty_pages_are_counted_as_non_articles(empty):
    crawl, base = empty
    [run] = crawl.rows("SELECT non_articles, articles_new FROM crawl_runs")
    assert run["articles_new"] == 2
    assert run["non_articles"] >= 4  # home, empty, boiler, teaser
