"""Ablations: the default configuration with one idea switched off (or one setting changed) at a
time, on the tune half, direct mode: each variant is the default configuration with values
replaced (dataclasses.replace). The verifier's model is not refitted per variant, so a variant
that changes the features is judged with coefficients fitted for the default.

    python bench/quality_ablate.py [--split tune]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality  # noqa: E402
from corpus import documents  # noqa: E402
from quality import DEFAULT, Config  # noqa: E402
from quality_score import evaluate, summary  # noqa: E402
from quality_world import World, build_world, lowercase  # noqa: E402

INF = float("inf")


def anchors(**changes: object) -> Config:
    """The default with these AnchorParams changed."""
    params = replace(DEFAULT.fingerprint.anchors, **changes)
    return replace(DEFAULT, fingerprint=replace(DEFAULT.fingerprint, anchors=params))


def fingerprints(**changes: object) -> Config:
    return replace(DEFAULT, fingerprint=replace(DEFAULT.fingerprint, **changes))


def verifier(**changes: object) -> Config:
    """The default with these VerifierParams changed, for the matcher and the site pass."""
    params = replace(DEFAULT.sites.verifier, **changes)
    return replace(DEFAULT, sites=replace(DEFAULT.sites, verifier=params))


def sites(**changes: object) -> Config:
    return replace(DEFAULT, sites=replace(DEFAULT.sites, **changes))


VARIANTS: dict[str, Config] = {
    "default": DEFAULT,
    "no short-skeleton matching (Italie / Italien)": verifier(short_skeletons=False),
    "no name odds (noun capitalization, katakana)": fingerprints(name_odds=False),
    "no katakana w restoring": anchors(katakana_w=False),
    "no place names from CLDR (Allemagne, 德国 as Germany; 伦敦 as London)": anchors(places=False),
    "no Chinese names read by sound": anchors(phonetic_han=False),
    "same-language pairs count common names": verifier(same_language_min_name_weight=0.0),
    "local words of a noun-capitalizing text in its anchor signature": anchors(
        local_min_zipf=INF, compounds=False
    ),
    "compounds of a noun-capitalizing text in its anchor signature": anchors(compounds=False),
    "no title sentence": replace(DEFAULT, titles=False),
    # No article gets a numbers signature, so the space finds nothing.
    "no numbers LSH space": fingerprints(min_numbers=10**9),
    "no month anchors": anchors(months=False),
    "no loanword anchors (lowercase words against katakana, German nouns)": anchors(
        loanwords=False
    ),
    "no parts of unknown katakana compounds": anchors(katakana_parts=False),
    "identical sentences count as translation evidence": verifier(shared_sentences_count=True),
    "one-to-one alignment only (no 2-1 / 1-2 steps)": verifier(merge_credit=0.0),
    "no second look by sentence-length rhythm": verifier(rhythm_min_evidence=INF),
    "no copies found through their sites (dedup/sites.py)": replace(DEFAULT, through_sites=False),
    "site pass by rhythm alone (no shared anchors)": sites(anchors=False),
    "site pass over sites linked by 2 matches or more only": sites(weak_link_odds=0.0),
    "site pass over articles nothing matched only": sites(elsewhere_odds=0.0),
    "no rhythm veto (pairs the anchors accept below logit 4)": verifier(rhythm_veto_below=-INF),
    "rhythm evidence from 3.0 (instead of 3.5)": verifier(rhythm_min_evidence=3.0),
    "second look at any sentence-count ratio (instead of 0.5)": verifier(
        rhythm_min_sentence_ratio=0.0
    ),
    "verifier threshold logit 0.5": verifier(translation_min_logit=0.5),
    "verifier threshold logit 2.5": verifier(translation_min_logit=2.5),
}


def _figures(world: World, config: Config) -> dict:
    """summary() of the direct run of world under config."""
    rows, _extra, _fps = quality.run_direct(world, config)
    return summary(world, evaluate(world, rows))


def ablation_table(world: World) -> str:
    keys = ("P all", "R alphabetic / long", "R CJK/Indic/other / long", "R verbatim / long")
    lines = ["| variant | " + " | ".join(keys) + " |", "| --- |" + " ---: |" * len(keys)]
    for name, config in VARIANTS.items():
        figures = _figures(world, config)
        cells = " | ".join(f"{figures.get(k, float('nan')):.3f}" for k in keys)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


# Scripts without case, simulated on the corpus' Russian and Ukrainian articles lowercased
# (quality_world.lowercase): the rules that read them, against the former ones.
CASELESS_LANGS = {"ru", "uk"}
CASELESS_VARIANTS: dict[str, Config] = {
    "default: anchors below Zipf 5.5, those of 3.5 and more unsigned": DEFAULT,
    "common words signed too": anchors(caseless_rare=INF),
    "anchors below Zipf 3.5 only (before)": anchors(caseless_max_zipf=3.5),
}


def caseless_table(worlds: dict[str, World]) -> str:
    """The variants on each world with CASELESS_LANGS lowercased (the worlds are changed)."""
    keys = ("P all", "R alphabetic / long")
    head = " | ".join(f"{split}: {key}" for split in worlds for key in keys)
    lines = [f"| variant | {head} |", "| --- |" + " ---: |" * (len(keys) * len(worlds))]
    for world in worlds.values():
        lowercase(world, CASELESS_LANGS)
    for name, config in CASELESS_VARIANTS.items():
        cells = []
        for world in worlds.values():
            figures = _figures(world, config)
            cells += [f"{figures[k]:.3f}" for k in keys]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="tune")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    print(ablation_table(build_world(list(documents()), args.split, args.seed)))


if __name__ == "__main__":
    main()
