"""The evaluation world as a web: every site rendered into HTML pages, served on its own loopback
address and crawled by `syndetect crawl`, then matched and exported; the export is mapped back to
the world's URLs, so the scoring is that of the other paths (bench/quality.py --web).

What this adds to the JSONL path (`--product`): what a crawl loses or adds. Most pages show a
paragraph's sentences run together, as the web does (the corpus gives one sentence a line); the
extractor has to find the article among the template's navigation, bylines, related-post lists,
share buttons and comment forms (crawler.demo.render: sources as a newsroom with JSON-LD or a
magazine portal, suspects as a WordPress-like farm or a magazine); titles, dates and languages
come from the page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from quality_score import read_export
from quality_world import World

from crawler.demo.render import article_path
from crawler.demo.runner import write_config
from crawler.demo.server import serve_web

FAST_CRAWL = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
# Furniture of the rendered templates, in English for every site: written for this benchmark.
BOILERPLATE = {
    "related": "Related posts",
    "comment": "Leave a comment",
    "comment_notice": "Your email address will not be published. Required fields are marked *",
    "back_to_top": "Back to top",
    "source_link": "Source link",
    "share": "Share on Facebook",
    "cookie": "We use cookies to improve your experience. Accept",
    "about_title": "About us",
    "about_text": "An independent site publishing news and reviews every day since 2015.",
    "contact_title": "Contact",
    "contact_text": "Write to the editors through the form on this page.",
    "category": "News",
}
# A line ends a sentence at a stop, before any closing quotes; anything else ends a heading.
STOPS = frozenset(".!?…。！？")
CLOSERS = "」』\"'”’»)"
AUTHORS = ("Staff writer", "Editorial team", "admin", "News desk")
# Sites take their role's templates in turn (crawler.demo.render).
TEMPLATES = {"source": ("newsroom", "magazine"), "suspect": ("farm", "magazine")}


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs, its sentences on lines of their own: the newsroom and farm
    templates run them together (a newline in HTML is a space), the magazine breaks them. A
    line without a sentence's final punctuation is a heading or a list item: a paragraph of
    its own, as a page's <h3> or <li> would be."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in filter(None, map(str.strip, block.splitlines())):
            if line.rstrip(CLOSERS)[-1:] in STOPS:
                lines.append(line)
                continue
            out += ["\n".join(lines), line] if lines else [line]
            lines = []
        if lines:
            out.append("\n".join(lines))
    return out


def site_content(world: World) -> tuple[dict[str, dict], dict[str, str]]:
    """The world's sites in crawler.demo's content format, and each article page's path (by
    site) -> the world URL of its article."""
    content: dict[str, dict] = {}
    paths: dict[str, str] = {}
    for number, (name, articles) in enumerate(sorted(world.sites().items())):
        role = articles[0].role
        site_articles = []
        for a in articles:
            article = {
                "slug": a.url.rstrip("/").rsplit("/", 1)[-1],
                "title": a.title,
                "author": AUTHORS[number % len(AUTHORS)],
                "published": a.published.isoformat(),
                "paragraphs": paragraphs(a.text),
                "copy_of": None,  # no "Source link": the text alone decides
            }
            site_articles.append(article)
            paths[f"{name}{article_path(article)}"] = a.url
        content[name] = {
            "name": name,
            "role": role,
            "language": articles[0].lang,
            "title": name.replace("-", " ").title(),
            "template": TEMPLATES[role][number % 2],
            "boilerplate": BOILERPLATE,
            "articles": site_articles,
        }
    return content, paths


def run_web(world: World, workdir: Path) -> tuple[list[dict], str]:
    """Crawl, match and export the world served as a web; returns the export's rows with the
    world's URLs, and how many of the world's articles the crawl stored (and with a language
    other than theirs)."""
    content, paths = site_content(world)
    db = f"sqlite:///{workdir / 'quality-web.db'}"
    cli = [sys.executable, "-m", "crawler.cli", "--db", db, "--quiet"]
    discovery = {name: "sitemap" for name in content}
    with serve_web(content, discovery) as web:
        config = write_config(web, content, workdir / "world.toml", FAST_CRAWL)
        subprocess.run([*cli, "crawl", str(config)], check=True)
        site_of = {base: name for name, base in web.bases.items()}
    subprocess.run([*cli, "match"], check=True)
    matches, articles = workdir / "matches.jsonl", workdir / "articles.jsonl"
    subprocess.run([*cli, "export", "matches", "--out", str(matches)], check=True)
    subprocess.run([*cli, "export", "articles", "--out", str(articles)], check=True)

    def world_url(url: str) -> str | None:
        parts = urlsplit(url)
        return paths.get(f"{site_of.get(f'{parts.scheme}://{parts.netloc}')}{parts.path}")

    by_url = world.by_url()
    stored = [(row, by_url[url]) for row in read_export(articles) if (url := world_url(row["url"]))]
    wrong_lang = sum(row["lang"] != a.lang for row, a in stored)
    line = f"{len(stored)} of {len(world.articles)} stored, {wrong_lang} in a wrong language"
    rows = []
    for row in read_export(matches):
        copy, original = world_url(row["copy_url"]), world_url(row["original_url"])
        if copy and original:
            rows.append({**row, "copy_url": copy, "original_url": original})
    return rows, line
