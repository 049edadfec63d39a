"""Operator identifiers read from a page's markup, never from its article text."""

from crawler.identifiers import (
    ASSOCIATIVE,
    CONCLUSIVE,
    TERTIARY,
    Identifier,
    link_placements,
    read_markup,
)

GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # a real legacy address: its checksum holds

PAGE = f"""<html><head>
<meta name="generator" content="WordPress 6.4.2">
<meta name="google-site-verification" content="abcVERIFYgoogle123">
<meta name="facebook-domain-verification" content="fbdomain999">
<meta name="yandex-verification" content="yx42">
<meta name="msvalidate.01" content="BING77">
<meta name="p:domain_verify" content="pin88">
<meta name="twitter:site" content="@FarmNews">
<meta property="article:publisher" content="https://www.facebook.com/farmnews/">
<link rel="stylesheet" href="/wp-content/themes/newsup/style.css">
<script src="/wp-content/plugins/jetpack/x.js"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>
<script>ga('create', 'UA-1234567-3', 'auto'); fbq('init', '112233445566778');</script>
<script>(function(){{}})(window,document,'script','dataLayer','GTM-K9X2ABC');
 ym(87654321, "init", {{}});</script>
<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-1111222233334444"></script>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Organization",
 "sameAs": ["https://twitter.com/FarmNews", "https://t.me/farmnews"]}}</script>
</head><body class="home blog postid-12 theme-newsup">
<nav><a href="/">Home</a><a href="https://other-farm.example/">Friends</a></nav>
<article><p>The minister said UA-9999999-1 and ca-pub-9999999999999999 and wrote to
press@ministry.example; donations to 0x{"a" * 40} were fake, and {GENESIS}.</p>
<a href="mailto:press@ministry.example">ministry</a>
<a href="https://original.example/story">Source</a></article>
<footer>Contact: <a href="mailto:Editor@Farm.example">us</a>. Donate BTC {GENESIS}
ETH 0x{"b" * 40} not-a-wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb</footer>
</body></html>"""


def test_every_tier_is_read_from_the_markup():
    markup = read_markup(PAGE, "https://farm.example/story")
    got = {(i.tier, i.kind, i.value) for i in markup.identifiers}
    assert {
        (CONCLUSIVE, "ga", "UA-1234567"),
        (CONCLUSIVE, "ga4", "G-AB12CD34EF"),
        (CONCLUSIVE, "gtm", "GTM-K9X2ABC"),
        (CONCLUSIVE, "adsense", "ca-pub-1111222233334444"),
        (CONCLUSIVE, "fb-pixel", "112233445566778"),
        (CONCLUSIVE, "yandex-metrika", "87654321"),
        (CONCLUSIVE, "verify-google", "abcVERIFYgoogle123"),
        (CONCLUSIVE, "verify-facebook", "fbdomain999"),
        (CONCLUSIVE, "verify-yandex", "yx42"),
        (CONCLUSIVE, "verify-bing", "BING77"),
        (CONCLUSIVE, "verify-pinterest", "pin88"),
        (CONCLUSIVE, "wallet", GENESIS),
        (CONCLUSIVE, "wallet", "0x" + "b" * 40),
        (ASSOCIATIVE, "twitter", "@farmnews"),
        (ASSOCIATIVE, "facebook", "facebook.com/farmnews"),
        (ASSOCIATIVE, "social", "twitter.com/farmnews"),
        (ASSOCIATIVE, "social", "t.me/farmnews"),
        (ASSOCIATIVE, "email", "editor@farm.example"),
        (TERTIARY, "generator", "WordPress 6.4.2"),
        (TERTIARY, "cms", "wordpress"),
        (TERTIARY, "wp-theme", "newsup"),
        (TERTIARY, "wp-plugin", "jetpack"),
        (TERTIARY, "css-class", "theme-newsup"),
    } <= got


def test_the_article_text_is_never_read():
    """Ids, wallets and addresses quoted in the article belong to whoever it is about."""
    values = {i.value for i in read_markup(PAGE, "https://farm.example/story").identifiers}
    assert "UA-9999999" not in values
    assert "ca-pub-9999999999999999" not in values
    assert "press@ministry.example" not in values
    assert "0x" + "a" * 40 not in values


def test_a_wallet_shaped_token_without_its_checksum_is_no_wallet():
    values = {i.value for i in read_markup(PAGE, "https://farm.example/").identifiers}
    assert "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb" not in values
    assert "postid-12" not in values  # generated per page: no hint about the operator


def test_offsite_links_and_their_placement():
    markup = read_markup(PAGE, "https://farm.example/story")
    assert markup.offsite_links == [
        "https://other-farm.example/",
        "https://original.example/story",
    ]
    placements = link_placements(
        "https://farm.example/story",
        markup.offsite_links,
        ["https://original.example/story", "https://farm.example/other"],
    )
    assert placements == {
        "original.example": ("body", "https://original.example/story"),
        "other-farm.example": ("template", "https://other-farm.example/"),
    }


def test_garbage_and_empty_pages_give_nothing():
    assert read_markup("", "https://x.example/").identifiers == []
    assert read_markup("\x00\x01 not html", "https://x.example/").offsite_links == []
    assert Identifier("ga", "UA-1").tier == CONCLUSIVE


def test_overlong_values_and_hosts_are_dropped():
    """A hostile page must not make a crawl fail on a column's length."""
    page = (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
        f'"@type": "Organization", "sameAs": ["https://t.me/{"x" * 300}"]}}</script></head>'
        f'<body><a href="http://{"h" * 300}.example/">x</a></body></html>'
    )
    markup = read_markup(page, "https://farm.example/")
    assert markup.identifiers == []
    assert link_placements("https://farm.example/", markup.offsite_links, []) == {}
