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


def theme(rng: random.Random, kb: int, paths: list[str], listings: int) -> tuple[str, str]:
    """(head, body) furniture of about `kb` KB that a site theme adds to every article page:
    inline style and script (most of a real page's weight), a menu of section pages, a sidebar
    of other stories, a one-line footer. Real article pages weigh 50-100 KB."""
    if kb <= 0:
        return "", ""
    menu = "".join(
        f'<li><a href="/page/{n}/">Section {n}</a></li>' for n in range(1, min(30, listings) + 1)
    )
    side = "".join(
        f'<li><a href="{path}">{" ".join(rng.choice(WORDS) for _ in range(8))}</a></li>'
        for path in rng.sample(paths, min(20, len(paths)))
    )
    body = (
        f"<nav><ul>{menu}</ul></nav><aside><ul>{side}</ul></aside>"
        "<footer><p>© News of the region. All rights reserved.</p></footer>"
    )
    rest = max(0, kb * 1024 - len(body)) // 2
    style = "<style>" + ".c{margin:0 auto;padding:4px}" * (rest // 30) + "</style>"
    script = "<script>" + "window.dl=window.dl||[];dl.push({e:'v'});" * (rest // 40) + "</script>"
    return style + script, body


def generate_site(articles: int, per_page: int = 20, seed: int = 7, theme_kb: int = 0) -> Pages:
    rng = random.Random(seed)
    pages: Pages = {}
    paths = [f"/news/{i // 100}/story-{i}/" for i in range(articles)]
    listings = [paths[i : i + per_page] for i in range(0, len(paths), per_page)]
    for i, path in enumerate(paths):
        body = "".join(f"<p>{p}</p>" for p in article_text(rng))
        head, furniture = theme(rng, theme_kb, paths, len(listings))
        pages[path] = Page(
            f'<html lang="en"><head><meta charset="utf-8"><title>Story {i}</title>'
            f'<meta property="og:type" content="article">{head}</head><body>'
            f'<nav><a href="/">Home</a></nav><article><h1>Story {i}</h1>{body}</article>'
            f"{furniture}</body></html>".encode()
        )
    for number, chunk in enumerate(listings, 1):
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in chunk)
        older = f'<a href="/page/{number + 1}/">Older</a>' if number < len(listings) else ""
        path = "/" if number == 1 else f"/page/{number}/"
        pages[path] = Page(f"<html><body><ul>{links}</ul>{older}</body></html>".encode())
    pages["/robots.txt"] = Page(b"User-agent: *\n", "text/plain")
    return pages
