"""Regenerate the measured parts of docs/quality.md: the product-path and web-path tables, the
result tables of both halves with their baselines and false positives (ids only: the corpus is
not copied into the repository), the ablation table and the caseless-script simulation. Each
part sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`; the prose around them is
kept.

    python bench/quality_docs.py [--doc docs/quality.md]      # about 20 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality  # noqa: E402
from corpus import documents  # noqa: E402
from quality_ablate import ablation_table, caseless_table  # noqa: E402
from quality_score import evaluate, markdown, read_export, site_level, summary  # noqa: E402
from quality_web import run_web  # noqa: E402
from quality_world import World, build_world  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "quality.md"
SPLITS = ("tune", "check")
SECTIONS = ("worlds", "product", "web", "results", "ablation", "caseless")
SEEDS = (3, 4, 5)  # the worlds the defaults were chosen on (tune halves) and checked on
RESULT_DIMS = ("overall", "script", "kind")  # bench/quality.py prints the rest


PATH_HEADER = (
    "| split | overall recall / precision (false pos.) | alphabetic long | CJK long "
    "| sites: syndicators / innocent flagged | time |"
)


def path_table(
    worlds: dict[str, World],
    run: Callable[[World, Path], tuple[list[dict], str | None]],
    column: str | None = None,
) -> str:
    """One row per half of a world run through a product path: `run` returns the exported rows
    and, when `column` names one, that column's cell."""
    header = PATH_HEADER + (f" {column} |" if column else "")
    lines = [header, "|" + " --- |" * (header.count("|") - 1)]
    for split, world in worlds.items():
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            rows, cell = run(world, Path(tmp))
            row = _path_row(split, world, rows, time.perf_counter() - started)
        lines.append(row + (f" {cell} |" if column else ""))
    return "\n".join(lines)


def _product(world: World, workdir: Path) -> tuple[list[dict], None]:
    return read_export(quality.run_product(world, workdir)), None


def _path_row(split: str, world: World, rows: list[dict], seconds: float) -> str:
    out = evaluate(world, rows)
    figures, sites = summary(world, out), site_level(world, out)
    alphabetic, cjk = (
        f"{figures[f'R {group} / long']:.3f} / {figures[f'P {group} / long']:.3f}"
        for group in ("alphabetic", "CJK/Indic/other")
    )
    return (
        f"| {split} | {figures['R all']:.3f} / {figures['P all']:.3f} ({len(out.fp)}) "
        f"| {alphabetic} | {cjk} "
        f"| {sites['syndicators_flagged']}/{sites['syndicators']}, "
        f"{len(sites['innocent_flagged'])}/{sites['innocent']} | {seconds:.0f} s |"
    )


def worlds_table(docs: list[dict]) -> str:
    """The headline figures of the direct run on both halves of each seed's world."""
    lines = [
        "| world | articles | precision (false pos.) | recall | alphabetic long "
        "| CJK/Indic/other long | sites: syndicators / innocent flagged |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for seed in SEEDS:
        for split in SPLITS:
            world = build_world(docs, split, seed)
            out = evaluate(world, quality.run_direct(world)[0])
            figures, sites = summary(world, out), site_level(world, out)
            lines.append(
                f"| {split}, seed {seed} | {len(world.articles)} "
                f"| {figures['P all']:.3f} ({len(out.fp)}) | {figures['R all']:.3f} "
                f"| {figures['R alphabetic / long']:.3f} "
                f"| {figures['R CJK/Indic/other / long']:.3f} "
                f"| {sites['syndicators_flagged']}/{sites['syndicators']}, "
                f"{len(sites['innocent_flagged'])}/{sites['innocent']} |"
            )
    return "\n".join(lines)


def results(worlds: dict[str, World]) -> str:
    parts = []
    for split, world in worlds.items():
        rows, extra, _fps = quality.run_direct(world)
        timing = extra["timing"]
        out = evaluate(world, rows)
        by_url = world.by_url()
        parts += [
            f"### {split}",
            "",
            f"Per document: fingerprint {timing['ms_fingerprint']:.2f} ms, "
            f"match {timing['ms_match']:.2f} ms ({timing['docs']} documents)",
            "",
            markdown(world, out, RESULT_DIMS),
            "",
            "Baseline in the same run:",
            "",
            markdown(world, evaluate(world, quality.run_baseline(world)), ("overall", "script")),
            "",
            f"False positives ({split}):",
            "",
        ]
        parts += [
            quality.false_positive_line(row, by_url[row["copy_url"]], by_url[row["original_url"]])
            for row in out.fp
        ] or ["none"]
        parts.append("")
    return "\n".join(parts).rstrip()


def replace_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end: {name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: no '<!-- generated: {name} -->' ... '<!-- end: {name} -->'")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    text = args.doc.read_text("utf-8")
    for name in SECTIONS:  # before the minutes of measuring, not after
        replace_section(text, name, "")
    docs = list(documents())
    worlds = {split: build_world(docs, split, args.seed) for split in SPLITS}
    stamp = f"Measured {date.today().isoformat()}, seed {args.seed}."
    text = replace_section(
        text, "worlds", f"Measured {date.today().isoformat()}.\n\n{worlds_table(docs)}"
    )
    text = replace_section(text, "product", f"{stamp}\n\n{path_table(worlds, _product)}")
    web = path_table(worlds, run_web, "articles")
    text = replace_section(text, "web", f"{stamp}\n\n{web}")
    text = replace_section(text, "results", f"{stamp}\n\n{results(worlds)}")
    text = replace_section(text, "ablation", f"{stamp}\n\n{ablation_table(worlds['tune'])}")
    fresh = {split: build_world(docs, split, args.seed) for split in SPLITS}
    text = replace_section(text, "caseless", f"{stamp}\n\n{caseless_table(fresh)}")
    args.doc.write_text(text, "utf-8")
    print(f"{args.doc}: {', '.join(SECTIONS)} sections regenerated")


if __name__ == "__main__":
    main()
