"""The identifiers an operator reuses across its sites, read from a page's markup.

Scripts, meta and link tags, and the page's template (everything but the article body) carry
the ids of the operator's analytics, advertising and verified accounts. One operator reuses
them on every site it runs, so two sites sharing one are very likely run by the same people;
the article text is never read (a copied article may quote anyone's ids).

Tiers, after the Disinformation Laundromat's (ASD at GMF):
- conclusive: an account only its owner can place (analytics, tag manager, AdSense publisher,
  site verification, Facebook pixel, Yandex.Metrika, crypto wallets in the template);
- associative: public handles anyone may name (social accounts in meta tags, contact e-mails);
- tertiary: what any two sites on one platform share (generator, CMS, theme, plugins, classes).

Plain functions over one HTML page; run in the extraction workers.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.urls import check_http_url, netloc, same_site_netloc

CONCLUSIVE, ASSOCIATIVE, TERTIARY = "conclusive", "associative", "tertiary"

# (kind, pattern whose group 1 is the value) searched in scripts' code and URLs.
_SCRIPT_PATTERNS = (
    # Universal Analytics: UA-<account>-<property>; the account is what one operator reuses.
    ("ga", re.compile(r"\b(UA-\d{4,10})-\d{1,4}\b")),
    ("ga4", re.compile(r"\b(G-[A-Z0-9]{6,12})\b")),
    ("gtm", re.compile(r"\b(GTM-[A-Z0-9]{4,9})\b")),
    ("adsense", re.compile(r"\b(ca-pub-\d{10,20})\b")),
    ("fb-pixel", re.compile(r"fbq\(\s*['\"]init['\"]\s*,\s*['\"](\d{10,20})['\"]")),
    ("fb-pixel", re.compile(r"facebook\.com/tr\?id=(\d{10,20})")),
    ("yandex-metrika", re.compile(r"\bym\(\s*(\d{5,12})\s*,\s*['\"]init['\"]")),
    ("yandex-metrika", re.compile(r"mc\.yandex\.ru/watch/(\d{5,12})")),
    ("yandex-metrika", re.compile(r"\byaCounter(\d{5,12})\b")),
)
# <meta name=...> site verifications: the owner of the site's DNS or files placed them.
_VERIFICATION_METAS = {
    "google-site-verification": "verify-google",
    "facebook-domain-verification": "verify-facebook",
    "yandex-verification": "verify-yandex",
    "msvalidate.01": "verify-bing",
    "p:domain_verify": "verify-pinterest",
}
_SOCIAL_METAS = {
    "twitter:site": "twitter",
    "twitter:creator": "twitter",
    "article:publisher": "facebook",
    "fb:app_id": "fb-app",
    "fb:pages": "fb-page",
}
_WP_ASSET = re.compile(r"/wp-content/(themes|plugins)/([A-Za-z0-9_.-]+)/")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
# Wallets: Ethereum-style 0x + 40 hex, Bitcoin bech32, Bitcoin legacy base58 (checksummed).
_ETH = re.compile(r"\b(0x[0-9a-fA-F]{40})\b")
_BECH32 = re.compile(r"\b(bc1[02-9ac-hj-np-z]{25,87})\b")
_BASE58 = re.compile(r"\b([13][1-9A-HJ-NP-Za-km-z]{25,34})\b")
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# The article's own container: wallets and e-mails are read from the template around it.
_ARTICLE_BODY = (
    "//article | //main | //*[@itemprop='articleBody'] | //*[contains(concat(' ', "
    "normalize-space(@class), ' '), ' entry-content ') or contains(concat(' ', "
    "normalize-space(@class), ' '), ' post-content ') or contains(concat(' ', "
    "normalize-space(@class), ' '), ' article-body ')]"
)
_TIERS = {
    "ga": CONCLUSIVE,
    "ga4": CONCLUSIVE,
    "gtm": CONCLUSIVE,
    "adsense": CONCLUSIVE,
    "fb-pixel": CONCLUSIVE,
    "yandex-metrika": CONCLUSIVE,
    "wallet": CONCLUSIVE,
    **{kind: CONCLUSIVE for kind in _VERIFICATION_METAS.values()},
    **{kind: ASSOCIATIVE for kind in _SOCIAL_METAS.values()},
    "social": ASSOCIATIVE,
    "email": ASSOCIATIVE,
    "generator": TERTIARY,
    "cms": TERTIARY,
    "wp-theme": TERTIARY,
    "wp-plugin": TERTIARY,
    "css-class": TERTIARY,
}
MAX_CLASSES = 20  # a page's <body> classes kept as hints; more is a generated soup
# Longer values and hosts are no real identifier (the columns hold 200 and 255 characters).
MAX_VALUE = 200
MAX_HOST = 255


@dataclass(frozen=True, order=True)
class Identifier:
    kind: str
    value: str

    @property
    def tier(self) -> str:
        return tier_of(self.kind)


def tier_of(kind: str) -> str:
    return _TIERS[kind]


@dataclass
class PageMarkup:
    """What a page's markup says about who runs the site: identifiers and off-site links."""

    identifiers: list[Identifier] = field(default_factory=list)
    # Absolute http(s) URLs of every <a href> leaving the page's host (template and body).
    offsite_links: list[str] = field(default_factory=list)


def read_markup(page: str, url: str) -> PageMarkup:
    """The identifiers and off-site links of one HTML page at `url`."""
    try:
        tree = html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return PageMarkup()
    found: set[Identifier] = set()
    _from_scripts(tree, found)
    _from_metas(tree, found)
    _from_assets(tree, found)
    template = _template(tree)
    _from_template(template, found)
    return PageMarkup(
        sorted(i for i in found if len(i.value) <= MAX_VALUE), _offsite_links(tree, url)
    )


def _from_scripts(tree: html.HtmlElement, found: set[Identifier]) -> None:
    sources = [s.text or "" for s in tree.iter("script", "noscript")]
    sources += tree.xpath("//script/@src | //iframe/@src | //noscript//img/@src | //ins/@*")
    for source in sources:
        for kind, pattern in _SCRIPT_PATTERNS:
            for value in pattern.findall(source):
                found.add(Identifier(kind, value))
        for node in _json_ld(source):
            for account in _same_as(node):
                found.add(Identifier("social", account))


def _json_ld(source: str) -> list[dict]:
    if '"@context"' not in source:
        return []
    try:
        data = json.loads(source)
    except ValueError:
        return []
    nodes = data if isinstance(data, list) else [data]
    nodes += [n for d in list(nodes) if isinstance(d, dict) for n in d.get("@graph", [])]
    return [n for n in nodes if isinstance(n, dict)]


def _same_as(node: dict) -> list[str]:
    """An Organization's or WebSite's social profiles (JSON-LD sameAs), as host/path."""
    if node.get("@type") not in ("Organization", "NewsMediaOrganization", "WebSite"):
        return []
    same = node.get("sameAs") or []
    same = [same] if isinstance(same, str) else same
    return [_profile(u) for u in same if isinstance(u, str) and check_http_url(u) is None]


def _profile(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}".lower()


def _from_metas(tree: html.HtmlElement, found: set[Identifier]) -> None:
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if not value or len(value) > 200:
            continue
        if key in _VERIFICATION_METAS:
            found.add(Identifier(_VERIFICATION_METAS[key], value))
        elif key in _SOCIAL_METAS:
            kind = _SOCIAL_METAS[key]
            if kind == "twitter":
                value = "@" + value.lstrip("@").lower()
            elif kind == "facebook":
                value = _profile(value) if check_http_url(value) is None else value.lower()
            found.add(Identifier(kind, value))
        elif key == "generator":
            found.add(Identifier("generator", value))
            found.add(Identifier("cms", value.split()[0].lower()))


def _from_assets(tree: html.HtmlElement, found: set[Identifier]) -> None:
    for ref in tree.xpath("//link/@href | //script/@src | //img/@src"):
        for folder, name in _WP_ASSET.findall(ref):
            found.add(Identifier("wp-theme" if folder == "themes" else "wp-plugin", name))
    body = tree.find("body")
    if body is not None:
        classes = [c for c in (body.get("class") or "").split() if not any(d.isdigit() for d in c)]
        for name in classes[:MAX_CLASSES]:
            found.add(Identifier("css-class", name))


def _template(tree: html.HtmlElement) -> html.HtmlElement:
    """A copy of the page without its article body (nor scripts and styles)."""
    template = copy.deepcopy(tree)
    for node in template.xpath(_ARTICLE_BODY + " | //script | //style"):
        if node.getparent() is not None:
            node.drop_tree()
    return template


def _from_template(template: html.HtmlElement, found: set[Identifier]) -> None:
    for href in template.xpath("//a/@href"):
        if href.lower().startswith("mailto:"):
            address = href[7:].split("?")[0].strip().lower()
            if _EMAIL.match(address):
                found.add(Identifier("email", address))
    text = " ".join(template.itertext())
    for wallet in _ETH.findall(text):
        found.add(Identifier("wallet", wallet.lower()))
    for wallet in _BECH32.findall(text):
        found.add(Identifier("wallet", wallet))
    for wallet in _BASE58.findall(text):
        if _base58_checksum_ok(wallet):
            found.add(Identifier("wallet", wallet))


def _base58_checksum_ok(address: str) -> bool:
    """A legacy Bitcoin address's last four bytes are its double SHA-256 checksum: random
    tokens of the same shape (hashes, ids) fail it."""
    number = 0
    for char in address:
        number = number * 58 + _B58_ALPHABET.index(char)
    raw = number.to_bytes(25, "big") if number < 1 << 200 else b""
    if len(raw) != 25:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def _offsite_links(tree: html.HtmlElement, url: str) -> list[str]:
    own = {netloc(url)}
    links: list[str] = []
    for href in tree.xpath("//a/@href"):
        absolute = urljoin(url, href.strip())
        if check_http_url(absolute) is not None or absolute in links:
            continue
        if not same_site_netloc(netloc(absolute), own):
            links.append(absolute)
    return links


def link_placements(
    url: str, offsite: list[str], body_links: list[str]
) -> dict[str, tuple[str, str]]:
    """Each host page `url` links off-site → (placement, an example URL): "body" when the
    article's body links it (a farm's attribution or its network's cross-links), else
    "template" (menus, footers, blogrolls)."""
    own = {netloc(url)}
    body = {netloc(link) for link in body_links}
    hosts: dict[str, tuple[str, str]] = {}
    for link in [*body_links, *offsite]:
        host = netloc(link)
        if host and len(host) <= MAX_HOST and host not in hosts and not same_site_netloc(host, own):
            hosts[host] = ("body" if host in body else "template", link)
    return hosts


def page_evidence(
    markup: PageMarkup, url: str, body_links: list[str]
) -> tuple[list[tuple[str, str, str]], dict[str, tuple[str, str]]]:
    """A page's (kind, value, tier) rows and its off-site hosts' placements, for storage."""
    rows = [(i.kind, i.value, i.tier) for i in markup.identifiers]
    return rows, link_placements(url, markup.offsite_links, body_links)
