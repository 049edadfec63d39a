"""The evaluation world of issue 3, drawn from the corpus with a fixed seed.

Originals go on `source` sites; each gets one or two machine translations (random system, random
available language) on `suspect` sites, a quarter of them cut to their first 50-75% of
paragraphs; about one copy in ten is a verbatim same-language copy with content-farm
boilerplate. A fifth of the originals are held out (not ingested: their copies must match
nothing). Innocent articles — originals in the copies' languages that nobody copied — sit on
their own suspect sites. The world writes itself as one JSONL file per site, the product's
ingest format, so the CLI path and the in-process path see the same articles.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HELD_OUT = 0.20
TWO_COPIES = 0.5
PARTIAL = 0.25
VERBATIM = 0.10
INNOCENT = 0.15  # of the originals written in a language that copies are made into
SOURCE_SITES_PER_LANG = 3
FARMS_PER_LANG = 3
INNOCENT_SITES_PER_LANG = 2
EPOCH = datetime(2023, 1, 1)

# Generic WordPress content-farm furniture, written for this benchmark.
BOILERPLATE = [
    "Related posts",
    "Leave a comment",
    "Your email address will not be published. Required fields are marked *",
    "Source link",
    "Share this: Facebook Twitter WhatsApp",
    "Like this: Like Loading...",
    "Subscribe to our newsletter to get the latest updates straight to your inbox.",
    "You may also like",
    "© 2023 All rights reserved.",
    "Posted in Uncategorized | Tagged news, world",
]


@dataclass
class Article:
    url: str
    site: str
    role: str  # source | suspect
    kind: str  # original | translation | verbatim | innocent
    doc_id: str  # the corpus document this text comes from
    lang: str
    title: str
    text: str
    published: datetime
    domain: str
    system: str = ""
    partial: bool = False
    ingested_original: bool = False  # for copies: is their original in the world?


@dataclass
class World:
    split: str
    seed: int
    articles: list[Article] = field(default_factory=list)
    # Corpus documents that are themselves near-copies of each other (customer-service chats
    # split into several documents, one review posted twice): doc id -> group id. A match
    # between their articles is a correct find, not a false positive.
    related: dict[str, str] = field(default_factory=dict)

    def same_story(self, a: Article, b: Article) -> bool:
        return self.related.get(a.doc_id, a.doc_id) == self.related.get(b.doc_id, b.doc_id)

    def by_url(self) -> dict[str, Article]:
        return {a.url: a for a in self.articles}

    def sites(self) -> dict[str, list[Article]]:
        out: dict[str, list[Article]] = {}
        for a in self.articles:
            out.setdefault(a.site, []).append(a)
        return out

    def original_url(self, doc_id: str) -> str | None:
        for a in self.articles:
            if a.doc_id == doc_id and a.kind == "original":
                return a.url
        return None

    def write_jsonl(self, outdir: Path) -> list[tuple[Path, str, str]]:
        """One JSONL file per site ({url,title,text,lang,published}); returns (path, site, role)."""
        outdir.mkdir(parents=True, exist_ok=True)
        written = []
        for site, articles in sorted(self.sites().items()):
            path = outdir / f"{site}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for a in articles:
                    row = {
                        "url": a.url,
                        "title": a.title,
                        "text": a.text,
                        "lang": a.lang,
                        "published": a.published.isoformat(),
                    }
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            written.append((path, site, articles[0].role))
        return written


def split_of(doc_id: str) -> str:
    return "tune" if int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % 2 == 0 else "check"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# The corpus anonymizes names in chats and product pages (#PRS_ORG#, #Product1#, #NUMBER#): the
# same placeholder in unrelated documents would look like a shared name, and no web page has one.
# Machine translation mangles them (`# Product1 #`, `#PRS_ORG #`), so spaces inside are allowed.
_PLACEHOLDER = re.compile(r"#\s?[A-Z][A-Za-z]*(?:_[A-Z]+)*\d*\s?#")


def _title_and_body(text: str) -> tuple[str, str]:
    """The first line is usually the headline: the page shows it as the title, above the body."""
    text = _PLACEHOLDER.sub("", text)
    first, _, rest = text.strip().partition("\n")
    if rest.strip() and len(first) <= 200:
        return first.strip(), rest.strip()
    return "", text.strip()


def _cut(text: str, rng: random.Random) -> str:
    """The first 50-75% of the paragraphs (at least one)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if len(paragraphs) < 2:
        return text
    keep = max(1, round(len(paragraphs) * rng.uniform(0.5, 0.75)))
    return "\n\n".join(paragraphs[:keep])


def _with_boilerplate(text: str, rng: random.Random) -> str:
    before = rng.sample(BOILERPLATE, rng.randint(0, 1))
    after = rng.sample(BOILERPLATE, rng.randint(2, 4))
    return "\n\n".join([*before, text, *after])


def _near_duplicates(pool: list[dict], containment: float = 0.5) -> dict[str, str]:
    """Group corpus documents whose original texts share at least half of the smaller one's
    word 5-shingles (union-find over an inverted index), independently of dedup/."""
    shingles = {}
    for d in pool:
        words = re.findall(r"\w+", d["text"].lower())
        shingles[d["id"]] = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
    postings: dict[str, list[str]] = {}
    for doc_id, grams in shingles.items():
        for gram in grams:
            postings.setdefault(gram, []).append(doc_id)
    parent = {doc_id: doc_id for doc_id in shingles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, grams in shingles.items():
        overlap: dict[str, int] = {}
        for gram in grams:
            for other in postings[gram]:
                if other != doc_id:
                    overlap[other] = overlap.get(other, 0) + 1
        for other, n in overlap.items():
            if n >= containment * min(len(grams), len(shingles[other])):
                parent[root(other)] = root(doc_id)
    return {doc_id: root(doc_id) for doc_id in shingles}


def build_world(docs: list[dict], split: str, seed: int = 3) -> World:
    rng = random.Random(f"{seed}:{split}")
    pool = sorted((d for d in docs if split_of(d["id"]) == split), key=lambda d: d["id"])
    world = World(split=split, seed=seed, related=_near_duplicates(pool))
    copy_langs = {t["lang"] for d in pool for t in d["translations"] if t["kind"] == "mt"}
    for doc in pool:
        title, body = _title_and_body(doc["text"])
        if not body:
            continue
        day = EPOCH + timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
        base = dict(doc_id=doc["id"], domain=doc["domain"])
        if doc["lang"] in copy_langs and rng.random() < INNOCENT:
            site = f"local-{doc['lang']}-{rng.randrange(INNOCENT_SITES_PER_LANG)}"
            world.articles.append(
                Article(
                    url=f"https://{site}.example/{_slug(doc['id'])}",
                    site=site,
                    role="suspect",
                    kind="innocent",
                    lang=doc["lang"],
                    title=title,
                    text=body,
                    published=day,
                    **base,
                )
            )
            continue
        held_out = rng.random() < HELD_OUT
        if not held_out:
            site = f"news-{doc['lang']}-{rng.randrange(SOURCE_SITES_PER_LANG)}"
            world.articles.append(
                Article(
                    url=f"https://{site}.example/{_slug(doc['id'])}",
                    site=site,
                    role="source",
                    kind="original",
                    lang=doc["lang"],
                    title=title,
                    text=body,
                    published=day,
                    **base,
                )
            )
        # A held-out original gets one copy: two copies of it would be copies of each other.
        n_copies = 1 if held_out or rng.random() >= TWO_COPIES else 2
        mts = [t for t in doc["translations"] if t["kind"] == "mt" and t["text"].strip()]
        rng.shuffle(mts)
        used: set[tuple[str, str]] = set()
        for _ in range(n_copies):
            if rng.random() < VERBATIM or not mts:
                kind, lang, system, ctitle, ctext = "verbatim", doc["lang"], "", title, body
            else:
                mt = mts.pop()
                kind, lang, system = "translation", mt["lang"], mt["system"]
                ctitle, ctext = _title_and_body(mt["text"])
            partial = rng.random() < PARTIAL
            if partial:
                ctext = _cut(ctext, rng)
            if kind == "verbatim":
                ctext = _with_boilerplate(ctext, rng)
            site = f"farm-{lang}-{rng.randrange(FARMS_PER_LANG)}"
            slug = _slug(f"{doc['id']}-{system or 'copy'}")
            if (site, slug) in used:
                continue
            used.add((site, slug))
            world.articles.append(
                Article(
                    url=f"https://{site}.example/{slug}",
                    site=site,
                    role="suspect",
                    kind=kind,
                    lang=lang,
                    title=ctitle,
                    text=ctext,
                    published=day + timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 23)),
                    system=system,
                    partial=partial,
                    ingested_original=not held_out,
                    **base,
                )
            )
    return world


def merge_sentences(world: World, share: float, seed: int = 5) -> None:
    """Stress test for translators that restructure text (LLMs): join a share of the lines of
    every translated copy to the line before, replacing the full stop by a comma."""
    rng = random.Random(f"merge:{seed}:{world.split}")
    for a in world.articles:
        if a.kind != "translation":
            continue
        paragraphs = []
        for paragraph in a.text.split("\n\n"):
            lines: list[str] = []
            for line in paragraph.split("\n"):
                if lines and line and rng.random() < share:
                    comma = "、" if a.lang in ("ja", "zh") else ", "
                    lines[-1] = (
                        lines[-1].rstrip().rstrip(".。!?！？") + comma + line[0].lower() + line[1:]
                    )
                else:
                    lines.append(line)
            paragraphs.append("\n".join(lines))
        a.text = "\n\n".join(paragraphs)


def lowercase(world: World, langs: set[str]) -> None:
    """Simulation of a caseless script (Arabic, Hebrew, Indic, Hangul), which the corpus lacks:
    the articles in these languages lowercased, title and text, so that rarity alone tells their
    names (see dedup.fingerprint._writes_no_capitals)."""
    for a in world.articles:
        if a.lang in langs:
            a.title, a.text = a.title.lower(), a.text.lower()
