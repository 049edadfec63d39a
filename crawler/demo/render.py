"""Render a site's content (crawler/demo/content/*.json) into pages: home, pagination, articles,
category, about and contact pages, and the discovery files the site offers (sitemap or feed).

Three templates: "newsroom" (a clean publisher with Open Graph and JSON-LD), "farm" (a
WordPress-like content farm: cookie banner, share buttons, related posts, comment form, and a
bare "Source link" back to the copied original) and "magazine" (a busy portal: breadcrumbs, a
"Read also" link to another story between the paragraphs, line breaks inside paragraphs, an
author box, tags and a "Most read" sidebar).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

CONTENT_DIR = Path(__file__).with_name("content")
PER_PAGE = 2


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering (tests: slow servers, killable crawls)


Pages = dict[str, Page]


def load_content(directory: Path = CONTENT_DIR) -> dict[str, dict]:
    """Every site of the demo web by name."""
    sites = {}
    for path in sorted(directory.glob("*.json")):
        site = json.loads(path.read_text(encoding="utf-8"))
        sites[site["name"]] = site
    return sites


def article_path(article: dict) -> str:
    published = datetime.fromisoformat(article["published"])
    return f"/{published:%Y/%m}/{article['slug']}/"


def render_web(
    content: dict[str, dict], bases: dict[str, str], discovery: dict[str, str]
) -> dict[str, Pages]:
    """Every site's pages; `bases` maps site name to its base URL (scheme://host:port)."""
    urls = {
        f"{name}/{article['slug']}": bases[name] + article_path(article)
        for name, site in content.items()
        if name in bases
        for article in site["articles"]
    }
    return {
        name: render_site(content[name], base, urls, discovery[name])
        for name, base in bases.items()
    }


def render_site(site: dict, base: str, urls: dict[str, str], discovery: str) -> Pages:
    """All pages of `site` served at `base` (`urls`: every article's URL by "site/slug", for
    the farms' source links). `discovery` says how its articles can be found:
    "sitemap" (only in /sitemap.xml), "feed" (only in the RSS feed) or "pagination" (home page
    and /page/N/ listings)."""
    articles = sorted(site["articles"], key=lambda a: a["published"], reverse=True)
    pages: Pages = {}
    listed = articles if discovery == "pagination" else []
    chunks = [listed[i : i + PER_PAGE] for i in range(0, len(listed), PER_PAGE)] or [[]]
    for number, chunk in enumerate(chunks, 1):
        path = "/" if number == 1 else f"/page/{number}/"
        older = f"/page/{number + 1}/" if number < len(chunks) else None
        pages[path] = _html(_listing(site, chunk, older), site, site["title"], discovery)
    category = site["boilerplate"]["category"]
    pages["/category/news/"] = _html(
        _listing(site, articles[:PER_PAGE], None), site, category, discovery
    )
    for key in ("about", "contact"):
        text = site["boilerplate"][f"{key}_text"]
        title = site["boilerplate"][f"{key}_title"]
        pages[f"/{key}/"] = _html(f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", site, title)
    for article in articles:
        related = [a for a in articles if a is not article][:3]
        body = _article(site, article, urls, related)
        pages[article_path(article)] = _html(body, site, article["title"], discovery, article)
    robots = "User-agent: *\nDisallow: /wp-admin/\n"
    if discovery == "sitemap":
        pages["/sitemap.xml"] = Page(_sitemap(base, articles), "application/xml")
        robots += f"Sitemap: {base}/sitemap.xml\n"
    if discovery == "feed":
        pages["/feed/"] = Page(_feed(site, base, articles), "application/rss+xml")
    pages["/robots.txt"] = Page(robots.encode(), "text/plain")
    return pages


def _html(
    main: str, site: dict, title: str, discovery: str = "", article: dict | None = None
) -> Page:
    lang = site["language"]
    boiler = site["boilerplate"]
    head = [f'<meta charset="utf-8"><title>{escape(title)} – {escape(site["title"])}</title>']
    if discovery == "feed":
        head.append('<link rel="alternate" type="application/rss+xml" href="/feed/">')
    if article is not None:
        head.append('<meta property="og:type" content="article">')
        head.append(f'<meta property="article:published_time" content="{article["published"]}">')
        if site["template"] == "newsroom":
            ld = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": article["title"],
                "datePublished": article["published"],
                "author": {"@type": "Person", "name": article["author"]},
            }
            head.append(
                '<script type="application/ld+json">'
                + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
                + "</script>"
            )
    nav = (
        f'<nav><a href="/">{escape(site["title"])}</a> '
        f'<a href="/category/news/">{escape(boiler["category"])}</a> '
        f'<a href="/about/">{escape(boiler["about_title"])}</a> '
        f'<a href="/contact/">{escape(boiler["contact_title"])}</a></nav>'
    )
    cookie = ""
    footer = f"<footer><p>© 2026 {escape(site['title'])}</p></footer>"
    if site["template"] == "farm":
        cookie = f'<div class="cookie-banner"><p>{escape(boiler["cookie"])}</p></div>'
        footer = (
            f'<footer><a href="#top" class="back-to-top">{escape(boiler["back_to_top"])}</a>'
            f"<p>© 2026 {escape(site['title'])}</p></footer>"
        )
    document = (
        f'<!DOCTYPE html><html lang="{lang}"><head>{"".join(head)}</head>'
        f'<body id="top"><header>{nav}</header>{cookie}<main>{main}</main>{footer}</body></html>'
    )
    return Page(document.encode("utf-8"))


def _listing(site: dict, articles: list[dict], older: str | None) -> str:
    items = "".join(
        f'<li><a href="{article_path(a)}">{escape(a["title"])}</a></li>' for a in articles
    )
    more = f'<a class="next" href="{older}">»</a>' if older else ""
    return f'<h1>{escape(site["title"])}</h1><ul class="posts">{items}</ul>{more}'


def _article(site: dict, article: dict, urls: dict[str, str], related: list[dict]) -> str:
    boiler = site["boilerplate"]
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])
    published = datetime.fromisoformat(article["published"])
    meta = (
        f'<div class="entry-meta"><span class="author">{escape(article["author"])}</span> '
        f'<time datetime="{article["published"]}">{published:%d.%m.%Y}</time></div>'
    )
    if site["template"] == "newsroom":
        return f"<article><h1>{escape(article['title'])}</h1>{meta}{paragraphs}</article>"
    if site["template"] == "magazine":
        return _magazine(site, article, meta, related)
    source = ""
    if article.get("copy_of"):
        url = urls[article["copy_of"]]
        source = (
            f'<p><a href="{escape(url)}" target="_blank" rel="noopener">'
            f"{escape(boiler['source_link'])}</a></p>"
        )
    related_items = "".join(
        f'<li><a href="{article_path(a)}">{escape(a["title"])}</a></li>' for a in related
    )
    return (
        f'<article class="post"><h1 class="entry-title">{escape(article["title"])}</h1>{meta}'
        f'<div class="entry-content">{paragraphs}{source}</div>'
        f'<div class="share"><a href="https://www.facebook.com/sharer.php">'
        f"{escape(boiler['share'])}</a></div></article>"
        f'<section class="related"><h3>{escape(boiler["related"])}</h3><ul>{related_items}</ul>'
        f'</section><div id="comments"><h3>{escape(boiler["comment"])}</h3>'
        f'<p>{escape(boiler["comment_notice"])}</p><form><textarea name="c"></textarea></form>'
        "</div>"
    )


def _magazine(site: dict, article: dict, meta: str, related: list[dict]) -> str:
    boiler = site["boilerplate"]
    blocks = []
    for number, paragraph in enumerate(article["paragraphs"]):
        # Its sentences on lines of their own, as portals break their paragraphs.
        blocks.append(f"<p>{'<br>'.join(escape(line) for line in paragraph.splitlines())}</p>")
        if number == 1 and related:
            blocks.append(
                f'<p class="read-also"><strong>{escape(boiler["related"])}:</strong> '
                f'<a href="{article_path(related[0])}">{escape(related[0]["title"])}</a></p>'
            )
    links = "".join(
        f'<li><a href="{article_path(a)}">{escape(a["title"])}</a></li>' for a in related
    )
    return (
        f'<div class="breadcrumbs"><a href="/">{escape(site["title"])}</a> › '
        f'<a href="/category/news/">{escape(boiler["category"])}</a></div>'
        f'<div class="layout"><article><h1>{escape(article["title"])}</h1>{meta}'
        f'<div class="article-body">{"".join(blocks)}</div>'
        f'<div class="author-box"><p>{escape(article["author"])} · '
        f"{escape(boiler['about_text'])}</p></div>"
        f'<ul class="tags"><li><a href="/tag/news/">{escape(boiler["category"])}</a></li></ul>'
        f'</article><aside class="sidebar"><h3>{escape(boiler["related"])}</h3>'
        f"<ol>{links}</ol></aside></div>"
    )


def _sitemap(base: str, articles: list[dict]) -> bytes:
    urls = "".join(
        f"<url><loc>{escape(base + article_path(a))}</loc>"
        f"<lastmod>{a['published'][:10]}</lastmod></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _feed(site: dict, base: str, articles: list[dict]) -> bytes:
    items = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{escape(base + article_path(a))}</link>"
        f"<pubDate>{datetime.fromisoformat(a['published']):%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        "</item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(site['title'])}</title><link>{escape(base)}/</link>{items}"
        "</channel></rss>"
    ).encode()
