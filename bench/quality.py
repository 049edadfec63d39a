"""Matching quality on the evaluation world of issue 3 (see quality_world.py).

Direct mode runs the product's pipeline in process: fingerprint -> CandidateIndex -> Matcher ->
choose_original, in a random arrival order (copies often arrive before their originals), and
turns the verified pairs into the rows of `syndetect export matches`; the same scoring reads
rows exported by the CLI (`--export FILE`, after ingesting the files `--write-jsonl DIR` wrote).

    python bench/quality.py                      # tune and check, baseline, errors
    python bench/quality.py --split tune --no-baseline --misses 20
    python bench/quality.py --write-jsonl /tmp/world      # JSONL per site for `syndetect ingest`
    python bench/quality.py --split check --export matches.jsonl   # score a CLI export
    python bench/quality.py --product --no-errors   # the same world through ingest/match/export
    python bench/quality.py --web --no-errors       # the world as web pages, crawled, matched
    python bench/quality.py --merge-sentences 0.3    # stress: translators that join sentences
    python bench/quality.py --lowercase ru,uk        # Russian, Ukrainian read as caseless scripts
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality_baseline  # noqa: E402
from corpus import documents, is_long  # noqa: E402
from quality_score import Outcome, evaluate, markdown, read_export, summary  # noqa: E402
from quality_web import run_web  # noqa: E402
from quality_world import Article, World, build_world, lowercase, merge_sentences  # noqa: E402

from dedup import (  # noqa: E402
    CandidateIndex,
    Document,
    Fingerprint,
    Matcher,
    Provenance,
    Verdict,
    choose_original,
    mapping_loader,
)
from dedup.fingerprint import FINGERPRINT, FingerprintParams, fingerprint  # noqa: E402
from dedup.sites import SITES, SiteParams, site_pass  # noqa: E402
from dedup.verify import explain  # noqa: E402

DIMS = ("overall", "script", "kind", "pair", "domain")


def _row(copy: Article, original: Article, kind: str, score: float) -> dict:
    return {
        "copy_url": copy.url,
        "original_url": original.url,
        "copy_site": copy.site,
        "original_site": original.site,
        "copy_lang": copy.lang,
        "original_lang": original.lang,
        "kind": kind,
        "score": score,
    }


def _arrival(world: World) -> tuple[list[Article], dict[str, Provenance]]:
    order = list(world.articles)
    random.Random(f"arrival:{world.seed}:{world.split}").shuffle(order)
    start = datetime(2025, 1, 1)
    prov = {
        a.url: Provenance(a.url, a.role, a.published, start + timedelta(minutes=i))
        for i, a in enumerate(order)
    }
    return order, prov


@dataclass(frozen=True)
class Config:
    """What a direct run uses: the product's parameters, and the bench's own switches (for
    ablations: dataclasses.replace of the defaults)."""

    fingerprint: FingerprintParams = FINGERPRINT
    sites: SiteParams = SITES
    titles: bool = True  # each article's title as its first sentence
    through_sites: bool = True  # the pass over linked sites (dedup/sites.py)


DEFAULT = Config()


def run_direct(
    world: World, config: Config = DEFAULT
) -> tuple[list[dict], dict, dict[str, Fingerprint]]:
    by_url = world.by_url()
    order, prov = _arrival(world)
    fps: dict[str, Fingerprint] = {}
    index = CandidateIndex()
    matcher = Matcher(index, mapping_loader(fps), config.sites.verifier)
    rows: list[dict] = []
    evidence: dict[tuple[str, str], Verdict] = {}
    t_fp = t_match = 0.0
    for a in order:
        t0 = time.perf_counter()
        title = (a.title or None) if config.titles else None
        fp = fingerprint(Document(a.text, a.lang, title), config.fingerprint)
        t1 = time.perf_counter()
        t_fp += t1 - t0
        if fp is None:
            continue
        fps[a.url] = fp
        found = matcher.match(a.url, fp)
        t_match += time.perf_counter() - t1
        for other, verdict in found:
            original = by_url[choose_original(prov[a.url], prov[other]).key]
            copy = by_url[other] if original.url == a.url else a
            rows.append(_row(copy, original, verdict.kind, verdict.score))
            evidence[(copy.url, original.url)] = verdict
    t1 = time.perf_counter()
    for a, other, verdict in _through_sites(world, fps, rows, config):
        original = by_url[choose_original(prov[a.url], prov[other]).key]
        copy = by_url[other] if original.url == a.url else a
        rows.append(_row(copy, original, verdict.kind, verdict.score))
        evidence[(copy.url, original.url)] = verdict
    t_match += time.perf_counter() - t1
    timing = {
        "docs": len(order),
        "ms_fingerprint": 1000 * t_fp / len(order),
        "ms_match": 1000 * t_match / len(order),
        "index": index,
    }
    return rows, {"timing": timing, "evidence": evidence}, fps


class _WorldSites:
    """The world's articles as the site pass reads them (dedup.sites.SiteReader)."""

    def __init__(self, world: World, fps: dict[str, Fingerprint], rows: list[dict]) -> None:
        self.sites = world.sites()
        self.fps = fps
        # The articles matched with each site (either way), and with any.
        self.pairs = {
            (url, r[f"{other}_site"])
            for r in rows
            for url, other in ((r["copy_url"], "original"), (r["original_url"], "copy"))
        }
        self.any = {url for url, _ in self.pairs}

    def articles(self, site: str) -> dict[str, datetime | None]:
        return {a.url: a.published for a in self.sites[site] if a.url in self.fps}

    def unmatched_with(self, site: str, other: str) -> dict[str, datetime | None]:
        return {
            a.url: a.published
            for a in self.sites[site]
            if a.url in self.fps and (a.url, other) not in self.pairs
        }

    def matched(self, site: str) -> set[str]:
        return self.any


def _through_sites(
    world: World, fps: dict[str, Fingerprint], rows: list[dict], config: Config
) -> list[tuple[Article, str, Verdict]]:
    """The product's pass over linked sites on the world (dedup.sites.site_pass)."""
    if not config.through_sites:
        return []
    by_url = world.by_url()
    links = Counter((r["copy_site"], r["original_site"]) for r in rows)
    read = _WorldSites(world, fps, rows)
    found = site_pass(links, read, mapping_loader(fps), params=config.sites)
    return [(by_url[pair.key], pair.other, pair.verdict) for pair in found]


def run_baseline(world: World) -> list[dict]:
    by_url = world.by_url()
    order, prov = _arrival(world)
    matcher = quality_baseline.BaselineMatcher()
    rows = []
    for a in order:
        fp = quality_baseline.fingerprint(a.text)
        if fp is None:
            continue
        for other, score in matcher.match(a.url, fp):
            original = by_url[choose_original(prov[a.url], prov[other]).key]
            copy = by_url[other] if original.url == a.url else a
            rows.append(_row(copy, original, "translation", score))
    return rows


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def false_positive_line(row: dict, copy: Article, original: Article) -> str:
    """One reported pair that is no copy, by URL and corpus id (no text: docs/quality.md)."""
    return (
        f"- {row['kind']} {row['score']:.3f}: {copy.url} ({copy.doc_id}, {copy.kind}) -> "
        f"{original.url} ({original.doc_id}, {original.kind})"
    )


def report_errors(
    world: World, out: Outcome, extra: dict, fps: dict[str, Fingerprint], misses: int
) -> str:
    by_url = world.by_url()
    lines = [f"### False positives ({len(out.fp)})", ""]
    for row in out.fp:
        c, o = by_url[row["copy_url"]], by_url[row["original_url"]]
        verdict = extra.get("evidence", {}).get((c.url, o.url))
        lines.append(false_positive_line(row, c, o))
        if verdict is not None:
            lines.append(f"  anchors: {', '.join(verdict.anchors[:12])}")
        lines.append(f"  copy: {_short(c.title + ' ' + c.text)}")
        lines.append(f"  original: {_short(o.title + ' ' + o.text)}")
    missed = [pair for pair in out.truth if pair not in out.found]
    random.Random(0).shuffle(missed)
    # Long documents first: the targets are set on them, and short misses outnumber them.
    missed.sort(key=lambda pair: not is_long(out.truth[pair][0].text, out.truth[pair][0].lang))
    lines += [
        "",
        f"### Misses ({len(missed)}; long ones first, {min(misses, len(missed))} shown)",
        "",
    ]
    index = extra.get("timing", {}).get("index")
    for pair in missed[:misses]:
        o, c = out.truth[pair]
        fo, fc = fps.get(o.url), fps.get(c.url)
        if fo is None or fc is None:
            lines.append(f"- {c.url} <- {o.url}: not fingerprinted (too little text)")
            continue
        candidate = index is not None and o.url in index.query(fc)
        facts = ", ".join(f"{k}={v:.2f}" for k, v in explain(fo, fc).items())
        lines.append(
            f"- {o.lang}>{c.lang} {c.kind}{' partial' if c.partial else ''} {c.system} "
            f"{c.domain}: candidate={candidate}; {facts}"
        )
        lines.append(f"  {c.url} <- {o.url}")
    return "\n".join(lines)


def run_product(world, workdir: Path) -> Path:
    """The world through the product's own path: `syndetect ingest` per site file, `match`,
    `export matches`; returns the export file."""
    db = f"sqlite:///{workdir / 'quality.db'}"
    cli = [sys.executable, "-m", "crawler.cli", "--db", db, "--quiet"]
    for path, site, role in world.write_jsonl(workdir / "sites"):
        subprocess.run([*cli, "ingest", str(path), "--site", site, "--role", role], check=True)
    subprocess.run([*cli, "match"], check=True)
    export = workdir / "matches.jsonl"
    subprocess.run([*cli, "export", "matches", "--out", str(export)], check=True)
    return export


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "check", "both"], default="both")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--misses", type=int, default=10, help="misses to print with evidence")
    parser.add_argument(
        "--no-errors", action="store_true", help="don't print false positives and misses"
    )
    parser.add_argument("--write-jsonl", type=Path, help="write the world as JSONL per site")
    parser.add_argument("--export", type=Path, help="score this `export matches` JSONL instead")
    parser.add_argument(
        "--product",
        action="store_true",
        help="run the world through `syndetect ingest` + `match` + `export` and score that",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="serve the world as web pages, `syndetect crawl` + `match` + `export`, score that",
    )
    parser.add_argument(
        "--merge-sentences",
        type=float,
        default=0.0,
        help="stress test: join this share of a translation's lines to the previous one",
    )
    parser.add_argument(
        "--lowercase",
        default="",
        help="simulate caseless scripts: lowercase the articles in these languages (ru,uk)",
    )
    args = parser.parse_args(argv)

    docs = list(documents())
    splits = ["tune", "check"] if args.split == "both" else [args.split]
    for split in splits:
        world = build_world(docs, split, args.seed)
        if args.merge_sentences:
            merge_sentences(world, args.merge_sentences)
        if args.lowercase:
            lowercase(world, set(args.lowercase.split(",")))
        if args.write_jsonl:
            written = world.write_jsonl(args.write_jsonl / split)
            print(f"{split}: wrote {len(written)} site files to {args.write_jsonl / split}")
            continue
        print(f"## {split} (seed {args.seed}): {len(world.articles)} articles\n")
        if args.product:
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                rows, extra, fps = read_export(run_product(world, Path(tmp))), {}, {}
            print(f"Through the CLI: {time.perf_counter() - started:.0f} s\n")
        elif args.web:
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                rows, crawled = run_web(world, Path(tmp))
                extra, fps = {}, {}
            print(f"Through the crawler: {time.perf_counter() - started:.0f} s; {crawled}.\n")
        elif args.export:
            rows, extra, fps = read_export(args.export), {}, {}
        else:
            rows, extra, fps = run_direct(world)
            t = extra["timing"]
            print(
                f"Per document: fingerprint {t['ms_fingerprint']:.2f} ms, "
                f"match {t['ms_match']:.2f} ms ({t['docs']} documents)\n"
            )
        out = evaluate(world, rows)
        print(markdown(world, out, DIMS))
        figures = summary(world, out)
        print("\nHeadline: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()) + "\n")
        if not args.no_baseline and not (args.export or args.product or args.web):
            base = evaluate(world, run_baseline(world))
            print("Baseline (numbers + capitalized words, Jaccard then LCS):\n")
            print(markdown(world, base, ("overall", "script")))
            print()
        if not args.no_errors:
            print(report_errors(world, out, extra, fps, args.misses))
            print()


if __name__ == "__main__":
    main()
