"""Article extraction: main text, title, author, dates, language and the links in the body.

Plain functions over one HTML page (trafilatura does the main-text work), run in worker
processes by the extraction pipeline. Anything that is not an article — listings, tag, about
and contact pages — is recognised here so it never reaches the fingerprint.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.dates import parse_date
from crawler.language import identify
from crawler.urls import check_http_url, netloc
from crawler.worker_process import TimeLimit, within

# Fewer words than this (two characters a word in scripts without spaces, text_units) is a stub,
# not an article. Through the crawler (bench/quality.py --web), 30 instead of 60 stores the
# short posts and product blurbs that farms copy too: recall of short copies 0.10 -> 0.17 on
# alphabetic pairs, 0.10 -> 0.19 on CJK ones, no new false positive, long pairs unchanged.
# 15 instead of 30 stores the news briefs of one or two sentences that a farm copies whole
# with its boilerplate around them: the two Ukrainian farms of seed 3 that copy only such
# briefs (14-22 copies each, most originals under 30 words) are flagged, so every syndicator
# is (27/27 on both halves, was 26 and 25); short recall 0.375 -> 0.387 (tune) and
# 0.355 -> 0.366 (check) overall, no new false positive. The fingerprint still needs 12 units.
MIN_ARTICLE_WORDS = 15
# Listing, taxonomy and institutional pages: not articles even when they carry some text.
NON_ARTICLE_PATH = re.compile(
    r"/(tag|tags|category|categories|author|authors|page|search|about|about-us|contact|"
    r"privacy|terms|imprint|impressum|archive|archives|topics?|section|login|feed)(/|$|\?)",
    re.IGNORECASE,
)
# What content farms call the link to what they copied ("Source link", "Source : lien"), in
# the languages they publish in (lower case).
_ATTRIBUTION_NAMES = (
    r"source( link| url)?|sources|link to (the )?source|original( article| source)?|via|"
    r"lien( de la)? source|lien d'origine|article original|quelle|quelllink|originalquelle|"
    r"fuente|enlace( a la)? fuente|fuente original|fonte|link alla fonte|fonte originale|"
    r"origen|bron|kilde|k\u00e4lla|l\u00e4hde|\u017ar\u00f3d\u0142o|zdroj|izvor|sursa|forr\u00e1s|"
    r"kaynak|ngu\u1ed3n|sumber|\u03c0\u03b7\u03b3\u03ae|"
    r"\u0438\u0441\u0442\u043e\u0447\u043d\u0438\u043a|\u0434\u0436\u0435\u0440\u0435\u043b\u043e|"
    r"\u0645\u0635\u062f\u0631|\u0627\u0644\u0645\u0635\u062f\u0631|\u05de\u05e7\u05d5\u05e8|"
    r"\u0938\u094d\u0930\u094b\u0924|\u6765\u6e90|\u51fa\u5904|\u51fa\u5178|\u539f\u6587|"
    r"\ucd9c\ucc98|\uc6d0\ubb38"
)
# The anchor itself says it ("Source link", "Quelle:").
ATTRIBUTION_WORDS = re.compile(
    rf"^\s*({_ATTRIBUTION_NAMES}|read more|read the original|leer m\u00e1s|lire la suite|"
    r"weiterlesen)\s*[:\uff1a]?\s*$",
    re.IGNORECASE,
)
# Or the words just before it do, with a colon, spaced the French way or not
# ("Source : <a>lien</a>", "<b>Quelle:</b> <a>Spiegel</a>").
ATTRIBUTION_LABEL = re.compile(rf"(^|\W)({_ATTRIBUTION_NAMES})\s*[:\uff1a]\s*$", re.IGNORECASE)
CSS_MEDIA = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
CSS_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
SIMPLE_SELECTOR = re.compile(r"[a-zA-Z0-9]*(?P<sign>[.#])(?P<name>[\w-]+)")
TAG_START = re.compile(r"<[a-zA-Z]")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# C0 control characters (but tab, line feed, carriage return), raw or as character references:
# one `&#1;` or raw ESC made lxml drop the whole body ("no main text"), so a farm could hide a
# copy behind a single invisible character.
CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
    r"|&#0*(?:[0-8]|1[124-9]|2\d|3[01]|127)(?!\d);?"
    r"|&#[xX]0*(?:[0-8bBcCeEfF]|1[\da-fA-F]|7[fF])(?![\da-fA-F]);?"
)
# Invisible characters that split a word without showing (zero-width space, word joiner, soft
# hyphen, BOM, Mongolian vowel separator): "co\u200bpy" must read "copy" to the fingerprint.
INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060\ufeff]")
# Look-alike letters (homoglyphs): Cyrillic and Greek letters that read as Latin ones. A word
# mixing scripts is read in the script most of its letters are unambiguously written in: "сopy"
# with a Cyrillic "с" reads "copy", and a Ukrainian "Київ" typed with a Latin "i" (common with
# keyboard layouts) reads "Київ", not a Latin-Cyrillic blend.
_CYRILLIC_LOOKALIKES = ("аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅ", "aeopcyxijsdqwABEKMHOPCTXIJS")
_GREEK_LOOKALIKES = ("αονρτυκΑΒΕΗΙΚΜΝΟΡΤΥΧΖ", "aovptukABEHIKMNOPTYXZ")
TO_LATIN = str.maketrans(
    _CYRILLIC_LOOKALIKES[0] + _GREEK_LOOKALIKES[0], _CYRILLIC_LOOKALIKES[1] + _GREEK_LOOKALIKES[1]
)
TO_CYRILLIC = str.maketrans(_CYRILLIC_LOOKALIKES[1], _CYRILLIC_LOOKALIKES[0])
TO_GREEK = str.maketrans(_GREEK_LOOKALIKES[1], _GREEK_LOOKALIKES[0])
_AMBIGUOUS = set("".join(_CYRILLIC_LOOKALIKES + _GREEK_LOOKALIKES))
MIXED_SCRIPT_WORD = re.compile(
    "\\w*[a-zA-Z]\\w*[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]\\w*"
    "|\\w*[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]\\w*[a-zA-Z]\\w*"
)
# Consent banners, newsletter boxes, the author boxes of themes (a bio under every post) and
# comment forms (WordPress: #respond, .comment-respond, .comment-form; "Your email address
# will not be published", 15 words): on a page whose article is short trafilatura would take
# them for the main text, and the same box on two sites would look like a copy.
_CHROME_WORDS = (
    "cookie",
    "consent",
    "gdpr",
    "cmp-",
    "newsletter",
    "author-box",
    "author-bio",
    "about-author",
    "author-info",
    "comment-respond",
    "comment-form",
    "commentform",
)
THEME_CHROME = [
    f"//*[contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), "
    f"'{word}') or contains(translate(@id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
    f"'abcdefghijklmnopqrstuvwxyz'), '{word}')]"
    for word in _CHROME_WORDS
] + ['//*[@id="respond"]']  # WordPress's comment block; "respond" alone is in "correspondent"
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "report"}
BLOCK_TAGS = {"p", "head", "list", "quote", "table", "item"}
LINE_TAGS = {"lb", "item", "row"}  # trafilatura's line breaks, list items and table rows
LINKED_SHARE = 0.5  # of a paragraph's letters in links: a paragraph that is a link (see below)


@dataclass
class Extracted:
    """One page's extraction. `is_article` False carries the reason in `reason`;
    `over_limit`: extraction was stopped (time limit, a dead worker): worth a log line."""

    url: str
    is_article: bool
    reason: str = ""
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    text: str = ""
    lang: str | None = None
    lang_confidence: float | None = None
    links: list[str] = field(default_factory=list)
    attribution_url: str | None = None
    over_limit: bool = False

    def __repr__(self) -> str:
        # Scrapy logs items, and this travels with the page: not megabytes of text.
        what = "article" if self.is_article else f"non-article: {self.reason}"
        return f"Extracted({self.url!r}, {what}, {len(self.text)} characters)"


def extract_within(
    seconds: float, page: str | bytes, url: str, lang_hint: str | None = None
) -> Extracted:
    """extract(), stopped after `seconds` (in a worker process): the page is then a
    non-article marked over_limit, and the worker goes on with the next page."""
    try:
        return within(seconds, extract, page, url, lang_hint)
    except TimeLimit as exc:
        return Extracted(url=url, is_article=False, reason=f"extraction {exc}", over_limit=True)


def cut_elements(page: str, limit: int) -> tuple[str, int]:
    """`page` cut before its `limit`-th tag, and how many tags it had before the cut (0: not
    cut). Extraction time grows with the number of elements, faster than linearly; an article
    has a few thousand, a page of a million spans is an attack (or an accident)."""
    tags = TAG_START.finditer(page)
    cut_at = next(islice(tags, limit, None), None)
    if cut_at is None:
        return page, 0
    return page[: cut_at.start()], limit + 1 + sum(1 for _ in tags)


def extract(page: str | bytes, url: str, lang_hint: str | None = None) -> Extracted:
    """Extract one page. Never raises on bad HTML: an unusable page is a non-article."""
    if isinstance(page, bytes):
        page = page.decode("utf-8", "replace")
    # lxml refuses text that still declares its byte encoding (XHTML's <?xml ...?>).
    page = XML_DECLARATION.sub("", page, count=1)
    page = CONTROL_CHARACTERS.sub("", page)
    try:
        tree = html.fromstring(page)
    except (etree.ParserError, ValueError):
        return Extracted(url=url, is_article=False, reason="unparseable HTML")
    _drop_hidden(tree)
    signals = _page_signals(tree)
    # Imported on first use: the crawling process hands pages to extraction workers and only
    # cuts them (cut_elements), so it never pays for trafilatura's imports (0.2 s).
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_links=True,
        include_comments=False,
        include_tables=False,
        with_metadata=True,
        favor_precision=True,
        prune_xpath=THEME_CHROME,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = doc.body if doc is not None else None
    title = doc.title if doc is not None else signals["headline"]
    blocks = _text_blocks(body, title) if body is not None else []
    fallback = _text_elsewhere(signals["article_body"], tree)
    if text_units(" ".join(blocks)) < MIN_ARTICLE_WORDS <= text_units(" ".join(fallback)):
        blocks, body = fallback, None
    elif body is None:
        return Extracted(url=url, is_article=False, reason="no main text")
    text = visible_text("\n\n".join(blocks))
    reason = _non_article_reason(url, text, signals, tree)
    if reason:
        return Extracted(url=url, is_article=False, reason=reason, title=title)
    links = _body_links(body, url) if body is not None else []
    attribution = _attribution(tree, url, blocks)
    if attribution and attribution not in links:
        links.append(attribution)
    lang, confidence = identify(text, hint=lang_hint or signals["lang"])
    return Extracted(
        url=url,
        is_article=True,
        title=visible_text(title or "").strip() or None,
        author=((doc.author if doc is not None else None) or "").strip() or None,
        published=signals["published"] or parse_date(doc.date if doc is not None else None),
        text=text,
        lang=lang,
        lang_confidence=confidence,
        links=links,
        attribution_url=attribution,
    )


def visible_text(text: str) -> str:
    """Text as a reader sees it: invisible characters dropped, Latin look-alikes in Latin words
    read as Latin. What a farm does to a copy so that no fingerprint recognises it."""
    text = INVISIBLE.sub("", text)
    if not MIXED_SCRIPT_WORD.search(text):
        return text
    main = _main_script(c for c in text if c not in _AMBIGUOUS) or "latin"
    return MIXED_SCRIPT_WORD.sub(lambda word: _one_script(word.group(), main), text)


def _one_script(word: str, main: str) -> str:
    """A mixed-script word in the script of most of its unambiguous letters; in the text's
    main script when every letter is a look-alike or on a tie."""
    script = _main_script([c for c in word if c not in _AMBIGUOUS], prefer=main) or main
    table = {"latin": TO_LATIN, "cyrillic": TO_CYRILLIC, "greek": TO_GREEK}[script]
    return word.translate(table)


def _main_script(letters: Iterable[str], prefer: str = "latin") -> str | None:
    counts = Counter(map(_script, letters))
    counts.pop(None, None)
    if not counts:
        return None
    return max(counts, key=lambda name: (counts[name], name == prefer))


def _script(c: str) -> str | None:
    if "a" <= c.lower() <= "z":
        return "latin"
    if "\u0400" <= c <= "\u052f":
        return "cyrillic"
    if "\u0370" <= c <= "\u03ff":
        return "greek"
    return None


# Kana and CJK ideographs: scripts written without spaces between words.
DENSE_SCRIPT = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


def text_units(text: str) -> int:
    """Length in words; scripts written without spaces count two characters as a word."""
    words = len(text.split())
    return max(words, len(DENSE_SCRIPT.findall(text)) // 2)


def _text_elsewhere(article_body: str, tree: html.HtmlElement) -> list[str]:
    """The article's paragraphs where a page that shows them keeps them outside its HTML text:
    JSON-LD's articleBody (a body built by a script: what search engines read), else the alt
    text of the body's images (paragraphs served as pictures of text). A farm's copy hidden
    that way still shows; a page with text of its own never gets here."""
    lines = article_body.splitlines() or []
    if not article_body.strip():
        lines = [alt for alt in tree.xpath("//body//img/@alt") if len(alt.split()) >= 8]
    return [block for block in (" ".join(line.split()) for line in lines) if block]


def _drop_hidden(tree: html.HtmlElement) -> None:
    """Remove what a reader never sees: elements marked `hidden`, and those a page-level
    stylesheet hides by class or id (`.x{display:none}`). Hidden paragraphs of unrelated words
    between the copied ones would dilute a copy's fingerprint below the match. (trafilatura
    already drops inline display:none, visibility:hidden and aria-hidden.) Rules inside
    @media blocks are left alone: they hide for small screens, not from readers."""
    classes, ids = set(), set()
    for style in tree.xpath("//style/text()"):
        for selectors, declarations in CSS_RULE.findall(CSS_MEDIA.sub("", style)):
            if not HIDING.search(declarations):
                continue
            for selector in selectors.split(","):
                match = SIMPLE_SELECTOR.fullmatch(selector.strip())
                if match:
                    (classes if match["sign"] == "." else ids).add(match["name"])
    hidden = tree.xpath("//body//*[@hidden]")
    for name in classes:
        hidden += tree.xpath(
            "//body//*[contains(concat(' ', normalize-space(@class), ' '), $name)]",
            name=f" {name} ",
        )
    for name in ids:
        hidden += tree.xpath("//body//*[@id=$name]", name=name)
    for element in hidden:
        if element.getparent() is not None:
            element.drop_tree()


def _page_signals(tree: html.HtmlElement) -> dict:
    """Page-level hints: declared type (Open Graph, JSON-LD), publication time, language."""
    og_type = _first(tree.xpath('//meta[@property="og:type"]/@content'))
    types: set[str] = {og_type.lower()} if og_type else set()
    published = parse_date(
        _first(
            tree.xpath(
                '//meta[@property="article:published_time"]/@content'
                ' | //meta[@itemprop="datePublished"]/@content'
                ' | //*[@itemprop="datePublished"]/@datetime'
            )
        )
    )
    article_body, headline = "", None
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        for node in _json_ld_nodes(script):
            kind = node.get("@type")
            for value in kind if isinstance(kind, list) else [kind]:
                if isinstance(value, str):
                    types.add(value.lower())
            if published is None and isinstance(node.get("datePublished"), str):
                published = parse_date(node["datePublished"])
            if isinstance(node.get("articleBody"), str) and not article_body:
                article_body = node["articleBody"]
                headline = node.get("headline") if isinstance(node.get("headline"), str) else None
    lang = _first(tree.xpath("/html/@lang"))
    return {
        "is_article_type": bool(types & ARTICLE_TYPES),
        "published": published,
        "lang": lang.split("-")[0].lower() if lang else None,
        "article_body": article_body,
        "headline": headline,
    }


def _json_ld_nodes(script: str) -> list[dict]:
    try:
        data = json.loads(script)
    except ValueError:
        return []
    nodes = data if isinstance(data, list) else [data]
    out: list[dict] = []
    for node in nodes:
        if isinstance(node, dict):
            out.append(node)
            graph = node.get("@graph")
            if isinstance(graph, list):
                out.extend(n for n in graph if isinstance(n, dict))
    return out


def _non_article_reason(url: str, text: str, signals: dict, tree: html.HtmlElement) -> str:
    if text_units(text) < MIN_ARTICLE_WORDS:
        return "too little text"
    if signals["is_article_type"]:
        return ""
    if NON_ARTICLE_PATH.search(urlsplit(url).path + "?"):
        return "listing or site page"
    if urlsplit(url).path in ("", "/"):
        return "home page"
    # A page whose visible text is mostly link anchors is a listing, however long.
    body_text = " ".join(tree.xpath("//body//text()[not(ancestor::script|ancestor::style)]"))
    link_text = " ".join(tree.xpath("//body//a//text()"))
    if body_text and len(link_text) > 0.5 * len(body_text):
        return "listing (mostly links)"
    return ""


def _text_blocks(body: etree._Element, title: str | None) -> list[str]:
    """The body's paragraphs as plain text, without the repeated headline; a line break or a
    list item starts a new line of its block."""
    blocks = []
    headline = " ".join((title or "").split())
    for element in body:
        if element.tag not in BLOCK_TAGS:
            continue
        block = _block_text(element)
        if not block or (element.tag == "head" and headline and block == headline):
            continue
        if element.tag == "p" and _mostly_link(element, block):
            continue
        blocks.append(block)
    return blocks


def _mostly_link(element: etree._Element, block: str) -> bool:
    """A paragraph that is a link to another story under a label ("Read also: …", "Lesen Sie
    auch: …") is the site's navigation inside the article: its title would lend this article
    another story's names."""
    linked = sum(len(_squeezed("".join(ref.itertext()))) for ref in element.iter("ref"))
    return linked >= LINKED_SHARE * len(_squeezed(block))


def _block_text(element: etree._Element) -> str:
    # Not itertext(): it runs the text on either side of a <lb/> or between two <item>s
    # together, gluing the last word of a line to the first of the next ("poemSecond").
    # iterwalk rather than recursion: a hostile page may nest its markup thousands deep.
    pieces: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            pieces += ["\n" if node.tag in LINE_TAGS else "", node.text or ""]
        elif node is not element:
            pieces.append(node.tail or "")
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def _body_links(body: etree._Element, base: str) -> list[str]:
    links: list[str] = []
    for target in body.xpath(".//ref/@target"):
        absolute = urljoin(base, target)
        if check_http_url(absolute) is None and absolute not in links:
            links.append(absolute)
    return links


def _attribution(tree: html.HtmlElement, url: str, blocks: list[str]) -> str | None:
    """The link by which the page credits its source ("Source link"), if any.

    trafilatura drops link-only paragraphs as boilerplate, so this looks in the page itself:
    inside the element holding the extracted text, an off-site link whose anchor reads like an
    attribution, else the last off-site link that stands alone as a paragraph.
    """
    container = _content_container(tree, blocks)
    if container is None:
        return None
    own = netloc(url)
    alone: str | None = None
    for anchor in container.iter("a"):
        href = urljoin(url, anchor.get("href") or "")
        if check_http_url(href) is not None or netloc(href) == own:
            continue
        anchor_text = " ".join(anchor.text_content().split())
        if ATTRIBUTION_WORDS.match(anchor_text) or ATTRIBUTION_LABEL.search(_text_before(anchor)):
            return href
        parent = anchor.getparent()
        if parent is not None and " ".join(parent.text_content().split()) == anchor_text:
            alone = href
    return alone


def _text_before(anchor: html.HtmlElement) -> str:
    """The text just before a link, within its paragraph."""
    previous = anchor.getprevious()
    if previous is not None:
        return previous.text_content() + (previous.tail or "")
    parent = anchor.getparent()
    return (parent.text or "") if parent is not None else ""


def _content_container(tree: html.HtmlElement, blocks: list[str]) -> html.HtmlElement | None:
    """The smallest element containing the first and the last extracted paragraph."""
    if not blocks:
        return None
    first = _element_starting_with(tree, blocks[0])
    last = _element_starting_with(tree, blocks[-1])
    if first is None or last is None:
        return None
    ancestors = set(first.iterancestors()) | {first}
    node = last
    while node is not None and node not in ancestors:
        node = node.getparent()
    return node


def _element_starting_with(tree: html.HtmlElement, block: str) -> html.HtmlElement | None:
    # Compared without whitespace: text_content() runs lines and list items together, the
    # block has them on lines of their own.
    probe = _squeezed(block)[:40]
    for element in tree.iter("p", "div", "li", "blockquote", "h2", "h3", "section"):
        if _squeezed(element.text_content()).startswith(probe):
            # iter() is document order, outermost first: descend to the innermost match.
            for child in element.iter():
                if child is not element and _squeezed(child.text_content()).startswith(probe):
                    element = child
            return element
    return None


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _first(values: list) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
