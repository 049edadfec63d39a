"""What reading each page's markup for identifiers (crawler/identifiers.py) adds to extraction.

Both run in the extraction workers on every fetched page. This times `extract()` (the
baseline) and `read_markup()` over the demo web's rendered pages, in one process, and prints
the ratio. Run: python bench/markup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import time

from crawler.demo.render import load_content, render_web
from crawler.extract import extract
from crawler.identifiers import read_markup


def pages() -> list[tuple[str, str]]:
    content = load_content()
    bases = {name: f"http://127.0.0.{2 + i}:8000" for i, name in enumerate(content)}
    web = render_web(content, bases, {name: "home" for name in content})
    return [
        (bases[site] + path, page.body.decode("utf-8"))
        for site, site_pages in web.items()
        for path, page in site_pages.items()
        if page.content_type.startswith("text/html")
    ]


def timed(function, work: list[tuple[str, str]], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for url, html in work:
            function(html, url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = pages()
    timed(extract, work, 1)  # warm up: imports, language models
    base = timed(extract, work, args.rounds)
    markup = timed(read_markup, work, args.rounds)
    count = len(work) * args.rounds
    print(f"{len(work)} pages x {args.rounds} rounds")
    print(f"extract():     {1000 * base / count:.2f} ms/page (baseline)")
    print(f"read_markup(): {1000 * markup / count:.2f} ms/page")
    print(f"ratio read_markup/extract: {markup / base:.3f}")


if __name__ == "__main__":
    main()
