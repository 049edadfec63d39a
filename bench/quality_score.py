"""Scoring of a matching run against the world's ground truth, from the product's export format
(`copy_url, original_url, copy_site, original_site, copy_lang, original_lang, kind, score`), so
the in-process run and the CLI run are scored by the same code."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from corpus import is_long
from quality_world import Article, World

ALPHABETIC = {
    "en", "de", "fr", "hr", "is", "ru", "uk", "cs", "pl", "es", "it", "pt", "nl", "sv", "da",
    "nb", "fi", "et", "lv", "lt", "ro", "hu", "sk", "sl", "sr", "bs", "bg", "mk", "el", "tr",
    "ca", "ga", "id", "ms", "vi", "be", "kk", "ky", "mn", "tl", "sq", "af", "sw",
}  # fmt: skip


def script_group(a: str, b: str) -> str:
    return "alphabetic" if a in ALPHABETIC and b in ALPHABETIC else "CJK/Indic/other"


def read_export(path: Path) -> list[dict]:
    """The rows of an `export matches` (or `export articles`) JSONL file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Outcome:
    rows: list[dict]
    tp: list[dict] = field(default_factory=list)
    fp: list[dict] = field(default_factory=list)
    siblings: list[dict] = field(default_factory=list)
    misoriented: list[dict] = field(default_factory=list)
    found: set[frozenset[str]] = field(default_factory=set)
    truth: dict[frozenset[str], tuple[Article, Article]] = field(default_factory=dict)


def _groups(original: Article, copy: Article) -> dict[str, str]:
    long_ = "long" if is_long(original.text, original.lang) else "short"
    return {
        "overall": "all",
        "script": f"{script_group(original.lang, copy.lang)} / {long_}",
        "pair": f"{original.lang}>{copy.lang}" + (" verbatim" if copy.kind == "verbatim" else ""),
        "domain": f"{copy.domain} / {long_}",
        "kind": f"{copy.kind}{' partial' if copy.partial else ''} / {long_}",
    }


def evaluate(world: World, rows: list[dict]) -> Outcome:
    by_url = world.by_url()
    out = Outcome(rows=rows)
    originals = {a.doc_id: a for a in world.articles if a.kind == "original"}
    for c in world.articles:
        if c.kind in ("translation", "verbatim") and c.ingested_original:
            o = originals[c.doc_id]
            out.truth[frozenset((c.url, o.url))] = (o, c)
    for row in rows:
        pair = frozenset((row["copy_url"], row["original_url"]))
        a, b = by_url[row["copy_url"]], by_url[row["original_url"]]
        if pair in out.truth:
            out.tp.append(row)
            out.found.add(pair)
            if b.kind != "original":
                out.misoriented.append(row)
        elif world.same_story(a, b):
            # Two copies of one original, or articles of two corpus documents that are
            # near-copies of each other: the same text, not an error.
            out.siblings.append(row)
        else:
            out.fp.append(row)
    return out


def tables(world: World, out: Outcome) -> dict[str, list[tuple[str, int, int, int, int]]]:
    """Per dimension: (group, true pairs, found, predicted correct, predicted wrong)."""
    by_url = world.by_url()
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for pair, (o, c) in out.truth.items():
        for dim, group in _groups(o, c).items():
            counts[dim][group]["truth"] += 1
            counts[dim][group]["found"] += pair in out.found
    for row in out.tp:
        pair = frozenset((row["copy_url"], row["original_url"]))
        o, c = out.truth[pair]
        for dim, group in _groups(o, c).items():
            counts[dim][group]["tp"] += 1
    for row in out.fp:
        o, c = by_url[row["original_url"]], by_url[row["copy_url"]]
        for dim, group in _groups(o, c).items():
            counts[dim][group]["fp"] += 1
    result = {}
    for dim, groups in counts.items():
        result[dim] = [
            (g, c["truth"], c["found"], c["tp"], c["fp"]) for g, c in sorted(groups.items())
        ]
    return result


def site_level(world: World, out: Outcome) -> dict[str, object]:
    """A site with >= 2 true copies must be flagged; no innocent site may be. Flagged: >= 2
    distinct articles of the site reported as copies of another site's article."""
    true_copies: Counter = Counter()
    for _o, c in out.truth.values():
        true_copies[c.site] += 1
    reported: dict[str, set[str]] = defaultdict(set)
    for row in out.rows:
        if row["copy_site"] != row["original_site"]:
            reported[row["copy_site"]].add(row["copy_url"])
    flagged = {site for site, urls in reported.items() if len(urls) >= 2}
    syndicators = {site for site, n in true_copies.items() if n >= 2}
    copying = {a.site for a in world.articles if a.kind in ("translation", "verbatim")}
    innocent = {a.site for a in world.articles} - copying - _hosting_near_duplicates(world)
    return {
        "syndicators": len(syndicators),
        "syndicators_flagged": len(syndicators & flagged),
        "innocent": len(innocent),
        "innocent_flagged": sorted(innocent & flagged),
    }


def _hosting_near_duplicates(world: World) -> set[str]:
    """Sites with two or more articles whose corpus documents are near-copies of an article on
    another site (a review posted twice, customer chats built from one template): they do host
    copies, so flagging them is no error, and they are not counted as innocent."""
    by_story: dict[str, list[Article]] = defaultdict(list)
    for a in world.articles:
        by_story[world.related.get(a.doc_id, a.doc_id)].append(a)
    hosting: Counter = Counter()
    for group in by_story.values():
        for a in group:
            hosting[a.site] += any(b.site != a.site and b.doc_id != a.doc_id for b in group)
    return {site for site, n in hosting.items() if n >= 2}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "—"


def markdown(world: World, out: Outcome, dims: tuple[str, ...]) -> str:
    lines = []
    result = tables(world, out)
    for dim in dims:
        lines.append(f"| {dim} | pairs | recall | precision | false pos. |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for group, truth, found, tp, fp in result.get(dim, []):
            lines.append(
                f"| {group} | {truth} | {_ratio(found, truth)} | {_ratio(tp, tp + fp)} | {fp} |"
            )
        lines.append("")
    sites = site_level(world, out)
    lines.append(
        f"Sites: {sites['syndicators_flagged']}/{sites['syndicators']} syndicators flagged; "
        f"{len(sites['innocent_flagged'])}/{sites['innocent']} innocent sites flagged"
        + (f" ({', '.join(sites['innocent_flagged'])})" if sites["innocent_flagged"] else "")
        + f". Sibling matches (copies of one original, or of corpus near-duplicates): "
        f"{len(out.siblings)}; "
        f"misoriented true pairs: {len(out.misoriented)}."
    )
    return "\n".join(lines)


def summary(world: World, out: Outcome) -> dict[str, float]:
    """Headline figures of the targets, on long documents."""
    result = tables(world, out)
    figures = {}
    for group, truth, found, tp, fp in result["script"]:
        figures[f"R {group}"] = found / truth if truth else float("nan")
        figures[f"P {group}"] = tp / (tp + fp) if tp + fp else float("nan")
    for group, truth, found, _tp, _fp in result["kind"]:
        figures[f"R {group}"] = found / truth if truth else float("nan")
    (_, truth, found, tp, fp) = result["overall"][0]
    figures["R all"] = found / truth
    figures["P all"] = tp / (tp + fp) if tp + fp else float("nan")
    return figures
