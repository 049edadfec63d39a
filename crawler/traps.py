"""Crawl-trap guard: stops a site's crawl from drowning in generated URLs.

Infinite calendars, ever-growing query strings and faceted listings produce endless pages of one
shape and no articles. Each URL has a shape (its path with digit runs replaced, plus its query
keys); once a shape has given many pages and not one article, no more URLs of that shape are
requested. A path may also carry only so many distinct query strings. Article-rich shapes
(/news/12345/) are never limited: their pages are articles.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

DIGITS = re.compile(r"\d+")
NON_ARTICLE_PAGES_PER_SHAPE = 40
QUERY_VARIANTS_PER_PATH = 25


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return DIGITS.sub("N", parts.path) + ("?" + "&".join(keys) if keys else "")


class TrapGuard:
    def __init__(self) -> None:
        self.non_articles: Counter[tuple[str, str]] = Counter()
        self.articles: Counter[tuple[str, str]] = Counter()
        self.query_variants: dict[tuple[str, str], set[str]] = {}
        self.reported: set[tuple[str, str]] = set()

    def observe(self, site: str, url: str, is_article: bool) -> None:
        """What extraction made of a fetched page."""
        key = (site, shape(url))
        (self.articles if is_article else self.non_articles)[key] += 1

    def allows(self, site: str, url: str) -> str | None:
        """None when `url` may be requested, else why it looks like a trap."""
        key = (site, shape(url))
        if self.articles[key] == 0 and self.non_articles[key] >= NON_ARTICLE_PAGES_PER_SHAPE:
            return f"{self.non_articles[key]} pages shaped {key[1]!r} and no article"
        parts = urlsplit(url)
        if parts.query:
            variants = self.query_variants.setdefault((site, parts.path), set())
            variants.add(parts.query)
            if len(variants) > QUERY_VARIANTS_PER_PATH:
                return f"more than {QUERY_VARIANTS_PER_PATH} query strings on {parts.path}"
        return None

    def first_report(self, site: str, reason: str) -> bool:
        """True the first time a trap is seen, so it is logged once."""
        key = (site, reason.split(" ", 1)[-1])
        if key in self.reported:
            return False
        self.reported.add(key)
        return True
