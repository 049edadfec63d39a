"""A web of small generated sites, served on loopback with an access log per server.

Each site has 3-15 articles, newest first on a paginated home listing, a listing per category
(paginated too), and about, contact and privacy pages, all linked from every page's menu, like
a small blog or local news site. Deterministic for a seed; the text is synthetic (sitegen).
The access log, not the crawler's counters, is what a benchmark or test counts requests from.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from sitegen import article_text

from crawler.demo.render import Page, Pages

CATEGORIES = ("local", "economy", "sport", "culture")
STATIC = {
    "/about/": "About us",
    "/contact/": "Contact",
    "/privacy/": "Privacy policy",
}
NOT_FOUND = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)


@dataclass
class SmallSite:
    """One site's articles (newest last) and how they are listed; `pages()` renders it."""

    name: str
    seed: int
    categories: tuple[str, ...]
    articles: list[tuple[str, str, str]] = field(default_factory=list)  # path, category, html
    per_page: int = 5

    def add_article(self) -> str:
        """A new article at the top of the home and its category's listings; its path."""
        rng = random.Random(self.seed * 1000 + len(self.articles))
        number = len(self.articles)
        category = self.categories[number % len(self.categories)]
        path = f"/{category}/{self.name}-story-{number}/"
        body = "".join(f"<p>{p}</p>" for p in article_text(rng))
        self.articles.append((path, category, body))
        return path

    def pages(self) -> Pages:
        pages: Pages = {"/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain")}
        for number, (path, _, body) in enumerate(self.articles):
            title = f"{self.name} story {number}"
            pages[path] = self._page(
                title,
                f"<article><h1>{title}</h1>{body}</article>",
                '<meta property="og:type" content="article">',
            )
        newest_first = [path for path, _, _ in reversed(self.articles)]
        self._listing(pages, "/", newest_first)
        for category in self.categories:
            listed = [path for path, c, _ in reversed(self.articles) if c == category]
            self._listing(pages, f"/category/{category}/", listed)
        for path, title in STATIC.items():
            pages[path] = self._page(title, f"<h1>{title}</h1><p>{title} of {self.name}.</p>")
        return pages

    def _listing(self, pages: Pages, first: str, paths: list[str]) -> None:
        chunks = [paths[i : i + self.per_page] for i in range(0, len(paths), self.per_page)]
        for number, chunk in enumerate(chunks or [[]], 1):
            items = "".join(f'<li><a href="{p}">{p.rsplit("/", 2)[1]}</a></li>' for p in chunk)
            older = f'<a href="{first}page/{number + 1}/">Older</a>' if number < len(chunks) else ""
            path = first if number == 1 else f"{first}page/{number}/"
            pages[path] = self._page(f"{self.name} {first}", f"<ul>{items}</ul>{older}")

    def _page(self, title: str, main: str, head: str = "") -> Page:
        menu = '<a href="/">Home</a>' + "".join(
            f'<a href="/category/{c}/">{c}</a>' for c in self.categories
        )
        menu += "".join(f'<a href="{path}">{name}</a>' for path, name in STATIC.items())
        return Page(
            f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f"<body><nav>{menu}</nav><main>{main}</main></body></html>".encode()
        )


def small_web(sites: int, seed: int = 5) -> list[SmallSite]:
    """`sites` sites of 3-15 articles in 2-3 categories each."""
    rng = random.Random(seed)
    web = []
    for index in range(sites):
        categories = tuple(rng.sample(CATEGORIES, rng.randint(2, 3)))
        site = SmallSite(f"small{index}", seed * 100 + index, categories)
        for _ in range(rng.randint(3, 15)):
            site.add_article()
        web.append(site)
    return web


class LoggedWeb:
    """Running servers, one per site; `pages[name]` is what a site serves (replaceable between
    crawls) and each server appends one access-log line per request to `log`."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.bases: dict[str, str] = {}
        self.pages: dict[str, Pages] = {}
        self.lock = threading.Lock()

    def requests(self) -> int:
        """Requests answered so far, from the access log."""
        if not self.log.exists():
            return 0
        with self.log.open(encoding="utf-8") as lines:
            return sum(1 for _ in lines)


def _handler(web: LoggedWeb, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            page = web.pages.get(name, {}).get(urlsplit(self.path).path, NOT_FOUND)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for header, value in page.headers:
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(page.body)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            line = f'{self.address_string()} {name} "{self.requestline}" {code}\n'
            with web.lock, web.log.open("a", encoding="utf-8") as log:
                log.write(line)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def serve_logged(sites: list[SmallSite], first: int, log: Path) -> Iterator[LoggedWeb]:
    """Serve each site on 127.0.3.(first + n), port chosen by the system."""
    web = LoggedWeb(log)
    servers = []
    try:
        for index, site in enumerate(sites):
            server = ThreadingHTTPServer((f"127.0.3.{first + index}", 0), _handler(web, site.name))
            server.daemon_threads = True
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            web.bases[site.name] = f"http://127.0.3.{first + index}:{server.server_address[1]}"
            web.pages[site.name] = site.pages()
        yield web
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def write_config(path: Path, sites: list[SmallSite], bases: dict[str, str]) -> Path:
    """A config crawling every site, politeness off (loopback)."""
    lines = ["[crawl]", "AUTOTHROTTLE_ENABLED = false", "DOWNLOAD_DELAY = 0", ""]
    for site in sites:
        lines += [
            "[[site]]",
            f'name = "{site.name}"',
            'role = "source"',
            f'start_urls = ["{bases[site.name]}/"]',
            "",
        ]
    path.write_text("\n".join(lines))
    return path
