"""A generated news site for benchmarks: N article pages of ~300 words with names and numbers,
listed on paginated index pages. Deterministic for a seed; text is synthetic, not real."""

from __future__ import annotations

import random

from crawler.demo.render import Page, Pages

WORDS = (
    "the council said that a new plan would bring more work to the harbour while critics "
    "warned about costs and delays in the region after years of debate over the budget and "
    "the future of local transport schools hospitals and housing for families"
).split()
NAMES = ["Alvern", "Dagny", "Solheim", "Marquez", "Okafor", "Wierzbicki", "Harbourton", "Lindqvist"]


def article_text(rng: random.Random, paragraphs: int = 5, words: int = 60) -> list[str]:
    out = []
    for _ in range(paragraphs):
        tokens = []
        for _ in range(words):
            roll = rng.random()
            if roll < 0.06:
                tokens.append(rng.choice(NAMES))
            elif roll < 0.09:
                tokens.append(str(rng.randint(2, 9999)))
            else:
                tokens.append(rng.choice(WORDS))
        out.append(" ".join(tokens).capitalize() + ".")
    return out


def generate_site(articles: int, per_page: int = 20, seed: int = 7) -> Pages:
    rng = random.Random(seed)
    pages: Pages = {}
    paths = [f"/news/{i // 100}/story-{i}/" for i in range(articles)]
    for i, path in enumerate(paths):
        body = "".join(f"<p>{p}</p>" for p in article_text(rng))
        pages[path] = Page(
            f'<html lang="en"><head><meta charset="utf-8"><title>Story {i}</title>'
            f'<meta property="og:type" content="article"></head><body><nav><a href="/">Home</a>'
            f"</nav><article><h1>Story {i}</h1>{body}</article></body></html>".encode()
        )
    listings = [paths[i : i + per_page] for i in range(0, len(paths), per_page)]
    for number, chunk in enumerate(listings, 1):
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in chunk)
        older = f'<a href="/page/{number + 1}/">Older</a>' if number < len(listings) else ""
        path = "/" if number == 1 else f"/page/{number}/"
        pages[path] = Page(f"<html><body><ul>{links}</ul>{older}</body></html>".encode())
    pages["/robots.txt"] = Page(b"User-agent: *\n", "text/plain")
    return pages
