"""Extraction on a content-farm page built around the seed (a real scraped copy, read from
../shared/seed at test time, never copied) and on project-written pages."""

from html import escape

import pytest
from conftest import SHARED

from crawler.demo.render import article_path, load_content, render_site
from crawler.extract import extract, text_units, visible_text

SEED = SHARED / "seed" / "000_8cfff8f7d035ac9e.txt"
ORIGINAL = "https://www.nytimes.example/2023/09/12/world/asia/kim-putin-russia.html"
BOILERPLATE_START = "Source link"


def farm_page(section: str, title: str, paragraphs: list[str], tail: list[str]) -> str:
    """The seed's text laid out the way WordPress news themes lay it out."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    related, comment, notice, top = tail
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{escape(title)}</title><meta property="og:type" content="article">
<meta property="article:published_time" content="2023-09-12T09:30:00+02:00"></head>
<body><header><nav><a href="/">Accueil</a> <a href="/category/europe/">{escape(section)}</a>
</nav></header><div class="cookie-notice">Nous utilisons des cookies. Accepter</div>
<main><article><span class="cat-links"><a href="/category/europe/">{escape(section)}</a></span>
<h1 class="entry-title">{escape(title)}</h1><div class="entry-content">{body}
<p><a href="{ORIGINAL}" target="_blank" rel="noopener">Source link</a></p></div>
<div class="share-buttons"><a href="https://www.facebook.com/sharer.php">Facebook</a>
<a href="https://twitter.com/intent/tweet">Twitter</a></div></article>
<div class="related-posts"><h3>{escape(related)}</h3><ul>
<li><a href="/2023/09/11/grain/">Les exportations de céréales ukrainiennes reprennent</a></li>
<li><a href="/2023/09/10/g20-summit/">Le sommet du G20 se termine à New Delhi</a></li></ul></div>
<div id="respond"><h3>{escape(comment)}</h3><p>{escape(notice)}</p>
<form><textarea name="comment"></textarea><input type="submit" value="Publier"></form></div>
</main><footer><a href="#top" id="back-to-top">{escape(top)}</a></footer></body></html>"""


@pytest.fixture(scope="module")
def seed_parts():
    if not SEED.exists():
        pytest.skip("the seed page is not in ../shared/seed")
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    cut = blocks.index(BOILERPLATE_START)
    section, title, paragraphs = blocks[0], blocks[1], blocks[2:cut]
    return section, title, paragraphs, blocks[cut + 1 :]


def test_seed_page_main_text_without_theme_boilerplate(seed_parts):
    section, title, paragraphs, tail = seed_parts
    page = farm_page(section, title, paragraphs, tail)
    result = extract(page, "https://infos-europe.example/2023/09/12/kim-poutine/")
    assert result.is_article
    assert result.title == title
    assert result.lang == "fr" and result.lang_confidence > 0.9
    assert result.text.split("\n\n") == paragraphs
    for line in tail + ["Source link", "Facebook", "cookies", "Publier"]:
        assert line not in result.text
    assert result.attribution_url == ORIGINAL
    assert ORIGINAL in result.links
    assert result.published is not None and result.published.isoformat() == "2023-09-12T07:30:00"


ARTICLE = """<html lang="en"><head><title>Harbour works</title></head><body>
<nav><a href="/">Home</a> <a href="/about/">About</a></nav><article><h1>Harbour works begin</h1>
{paras}<p>The plan was first reported by <a href="https://gazette.example/harbour">the Gazette</a>.
</p></article></body></html>"""
PARA = (
    "<p>Work on the northern quay of Port Alvern began on Monday, the harbour authority said, "
    "after three years of delays and a budget that grew to 84 million euros. Director Ines "
    "Kowalczyk told reporters that 1,250 workers would be hired by 2027 and that the first "
    "container ships could dock in the spring of 2028.</p>"
)


def test_plain_article_keeps_body_links():
    result = extract(ARTICLE.format(paras=PARA * 2), "https://news.example/2026/03/harbour/")
    assert result.is_article, result.reason
    assert result.links == ["https://gazette.example/harbour"]
    # An in-text citation is a link, not the page's attribution line.
    assert result.attribution_url == "https://gazette.example/harbour" or (
        result.attribution_url is None
    )
    assert "Home" not in result.text and "1,250 workers" in result.text


def test_line_breaks_and_list_items_keep_words_apart():
    # Pages that break lines with <br> or list facts as items: the text on either side of a
    # break used to run together ("Alvern" + "Director" -> "AlvernDirector"), which spoils both
    # words as anchors and merges the sentences.
    lines = (
        "<p>The quay of Port Alvern opened on Monday.<br>Director Ines Kowalczyk spoke first."
        "<br/>Ships docked at noon</p><ul><li>Budget: 84 million euros</li>"
        "<li>Workers: <b>1,250</b></li></ul>"
    )
    result = extract(ARTICLE.format(paras=PARA + lines), "https://news.example/2026/03/quay/")
    assert result.is_article, result.reason
    assert "Port Alvern opened on Monday.\nDirector Ines Kowalczyk" in result.text
    assert "\nShips docked at noon" in result.text
    assert "Budget: 84 million euros\nWorkers: 1,250" in result.text
    assert "AlvernDirector" not in result.text.replace(" ", "")
    assert result.links == ["https://gazette.example/harbour"]


def test_links_to_other_stories_inside_the_article_are_left_out():
    # Portals put "Read also: <another story's title>" between the paragraphs; its names are
    # not this article's. A link inside a sentence stays (the Gazette, in ARTICLE).
    read_also = (
        '<p class="read-also"><strong>Read also:</strong> '
        '<a href="/2026/03/strike/">Dockers in Tarvel vote to strike over pay</a></p>'
    )
    result = extract(
        ARTICLE.format(paras=PARA + read_also + PARA), "https://news.example/2026/03/harbour/"
    )
    assert result.is_article, result.reason
    assert "Tarvel" not in result.text and "Read also" not in result.text
    assert "reported by the Gazette" in result.text


SHORT_POST = (
    "<p>The ferry from Alvern to Tarvel is cancelled again today because of the storm, the "
    "operator Nordlys said on Monday morning. Passengers with tickets for the 07:40 crossing "
    "can travel on Tuesday at no extra cost.</p>"
)


def test_short_posts_are_articles_stubs_are_not():
    # A post of 35 words is an article: farms copy those too.
    result = extract(ARTICLE.format(paras=SHORT_POST), "https://news.example/2026/03/ferry/")
    assert result.is_article, result.reason
    stub = ARTICLE.format(paras="<p>The ferry is cancelled again today.</p>")
    assert not extract(stub, "https://news.example/2026/03/stub/").is_article
    # A news brief of one sentence (18 words) is one too: farms copy them whole.
    brief = ARTICLE.format(
        paras="<p>The Alvern ferry resumed service on Monday after three days of storms, "
        "the operator Nordlys said in a statement.</p>"
    )
    assert extract(brief, "https://news.example/2026/03/brief/").is_article


def test_author_boxes_are_not_text():
    # On a page whose post is one sentence, trafilatura falls back to the page's other text:
    # the theme's author box under every post (on other sites of the theme too) is not it.
    site = load_content()["daily-planet"] | {"template": "magazine"}
    article = site["articles"][0]
    article["paragraphs"] = [
        "Poor Oleksandra runs from one corner of the market to another, there is so much to "
        "see that her eyes run wild and she wants to be everywhere at once."
    ]
    page = render_site(site, "https://planet.example", {}, "sitemap")[article_path(article)]
    result = extract(page.body, "https://planet.example/a/")
    assert result.is_article, result.reason
    assert "Oleksandra" in result.text
    assert site["boilerplate"]["about_text"][:40] not in result.text


def test_magazine_template_article_alone():
    # The demo's busiest template: breadcrumbs, <br> inside paragraphs, a "Read also" link
    # between them, an author box, tags and a sidebar of other stories.
    site = load_content()["daily-planet"] | {"template": "magazine"}
    article = site["articles"][0]
    # One sentence a line: the template breaks them with <br>.
    article["paragraphs"] = [p.replace(". ", ".\n") for p in article["paragraphs"]]
    assert "\n" in article["paragraphs"][0]
    pages = render_site(site, "https://planet.example", {}, "sitemap")
    result = extract(pages[article_path(article)].body, "https://planet.example/a/")
    assert result.is_article, result.reason
    assert result.text.split("\n\n") == article["paragraphs"]
    assert result.title == article["title"]


@pytest.mark.parametrize(
    ("url", "html"),
    [
        ("https://news.example/about/", "<html><body><h1>About us</h1><p>We are a paper.</p>"),
        (
            "https://news.example/tag/harbour/",
            "<html><body><ul>"
            + "".join(
                f'<li><a href="/a{i}/">Story number {i} about the harbour and the '
                f"city council budget vote</a></li>"
                for i in range(40)
            )
            + "</ul></body></html>",
        ),
        ("https://news.example/x/", "\x00\x01 not html at all"),
        ("https://news.example/y/", ""),
    ],
)
def test_non_articles_are_recognised(url, html):
    assert not extract(html, url).is_article


def test_text_units_counts_dense_scripts():
    assert text_units("one two three") == 3
    assert text_units("東京都の人口は増えています" * 10) >= 60


def test_a_correspondents_report_is_not_a_comment_form():
    # WordPress's comment block is #respond; "respond" is also in "correspondent", a class a
    # newsroom may give the container of a report.
    sentence = "Our correspondent reports that the reservoir opened on Tuesday after a vote."
    page = (
        '<html><body><div class="foreign-correspondent-report"><article><p>'
        + " ".join([sentence] * 4)
        + "</p></article></div></body></html>"
    )
    result = extract(page, "https://news.example/2026/03/reservoir/")
    assert result.is_article, result.reason
    assert "correspondent reports" in result.text


@pytest.mark.parametrize(
    "line",
    [
        'Source : <a href="{url}">lien</a>',
        'Source: <a href="{url}">link</a>',
        'Sources : <a href="{url}">ici</a>',
        '<strong>Quelle:</strong> <a href="{url}">Spiegel</a>',
        'Fuente: <a href="{url}">enlace</a>',
        'Источник: <a href="{url}">ссылка</a>',
        'Źródło : <a href="{url}">link</a>',
        'Lien source : <a href="{url}">Le Monde</a>',
        '来源：<a href="{url}">链接</a>',
    ],
)
def test_attribution_after_a_label_in_common_spellings(line):
    original = "https://lemonde.example/2026/03/port-alvern"
    page = ARTICLE.format(paras=PARA * 2).replace(
        "</article>", "<p>" + line.format(url=original) + "</p></article>"
    )
    result = extract(page, "https://farm.example/port-alvern/")
    assert result.is_article, result.reason
    assert result.attribution_url == original


def test_look_alike_letters_are_read_in_the_script_of_their_word_and_text():
    # A Latin word disguised with Cyrillic letters reads as Latin, even when every letter is a
    # look-alike, in a Latin text.
    assert visible_text("The сорy of the осеan") == "The copy of the ocean"
    # A Ukrainian word typed with a Latin "i" stays Ukrainian: Cyrillic "і" (U+0456).
    assert visible_text("Президент прибув до Киiв у понеділок") == (
        "Президент прибув до Київ у понеділок".replace("ї", "і")
    )
    assert visible_text("Він каже: пpивiт") == "Він каже: привіт"
    # Words in one script are left alone.
    assert visible_text("Москва and Paris") == "Москва and Paris"
