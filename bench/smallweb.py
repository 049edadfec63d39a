"""A web of small generated sites, served on loopback with an access log per server.

Each site has 3-15 articles, newest first on a paginated home listing, a listing per category
(paginated too), and about, contact and privacy pages, all linked from every page's menu, like
a small blog or local news site. Deterministic for a seed; the text is synthetic (sitegen).
The access log, not the crawler's counters, is what a benchmark or test counts requests from.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import article_text

from crawler.demo.render import Page, Pages
from crawler.demo.server import LoopbackWeb, serve

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


@contextmanager
def serve_logged(sites: list[SmallSite], first: int, log: Path) -> Iterator[LoopbackWeb]:
    """Serve each site on 127.0.3.(first + n), port chosen by the system, every request
    appended to `log`."""
    addresses = {site.name: (f"127.0.3.{first + index}", 0) for index, site in enumerate(sites)}
    with serve(addresses, access_log=log) as web:
        web.pages.update({site.name: site.pages() for site in sites})
        yield web


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
