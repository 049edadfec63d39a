"""Ablations: the default configuration with one idea switched off (or one setting changed) at a
time, on the tune half, direct mode. The verifier's model is not refitted per variant, so a
variant that changes the features is judged with coefficients fitted for the default.

    python bench/quality_ablate.py [--split tune]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality  # noqa: E402
from corpus import documents  # noqa: E402
from quality_score import evaluate, summary  # noqa: E402
from quality_world import World, build_world, lowercase  # noqa: E402

import dedup  # noqa: E402, F401  (loads the submodules patched below)

anchors = sys.modules["dedup.anchors"]
verify = sys.modules["dedup.verify"]
normalize = sys.modules["dedup.normalize"]
fingerprint = sys.modules["dedup.fingerprint"]
sites = sys.modules["dedup.sites"]  # loaded by quality
_CACHED = (
    "_word_anchor",
    "_katakana_anchor",
    "_phonetic_han_anchor",
    "_inner_word",
    "_loan_anchor",
    "_katakana_split",
    "_katakana_parts",
    "_compound",
)


def _clear_caches() -> None:
    for name in _CACHED:
        # A variant may have replaced a cached function by a plain one.
        getattr(getattr(anchors, name), "cache_clear", lambda: None)()
    verify._key_tables.cache_clear()


@contextlib.contextmanager
def patched(obj: object, name: str, value: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    _clear_caches()
    try:
        yield
    finally:
        setattr(obj, name, old)
        _clear_caches()


def _prefix(n: int) -> contextlib.ExitStack:
    # The verifier matches a whole skeleton shorter than the cut against a cut one.
    stack = contextlib.ExitStack()
    stack.enter_context(patched(anchors, "PREFIX", n))
    stack.enter_context(patched(verify, "PREFIX", n))
    return stack


def _no_months() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(patched(anchors, "month_of", lambda raw, lang: None))
    stack.enter_context(patched(anchors, "_suffix_month", lambda tokens, i: None))
    return stack


def _no_title(document: type) -> Callable[..., object]:
    return lambda text, lang=None, title=None: document(text, lang, None)


def _no_local() -> contextlib.ExitStack:
    # Neither common nouns (by frequency) nor compounds are local.
    stack = contextlib.ExitStack()
    stack.enter_context(patched(anchors, "LOCAL_MIN_ZIPF", float("inf")))
    stack.enter_context(patched(anchors, "_compound", lambda lower, lang: False))
    return stack


def _no_skeleton() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(patched(anchors, "skeleton", lambda latin: latin))
    stack.enter_context(_prefix(5))
    return stack


VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager]] = {
    "default": contextlib.nullcontext,
    "no consonant skeleton (transliterated prefix of 5)": _no_skeleton,
    "skeleton prefix 3": lambda: _prefix(3),
    "skeleton prefix 5": lambda: _prefix(5),
    "no short-skeleton matching (Italie / Italien)": lambda: patched(
        verify, "_match_short", lambda *args: None
    ),
    "no name odds (noun capitalization, katakana)": lambda: patched(
        fingerprint, "_name_odds", lambda per_sentence, case_odds: 1.0
    ),
    "no katakana w restoring": lambda: patched(anchors, "_katakana_latin", anchors.translit),
    "no place names from CLDR (Allemagne, 德国 as Germany; 伦敦 as London)": lambda: patched(
        anchors, "place_names", lambda lang: None
    ),
    "no Chinese names read by sound": lambda: patched(anchors, "_PHONETIC_HAN_LANGS", frozenset()),
    "same-language pairs count common names": lambda: patched(
        verify, "SAME_LANGUAGE_MIN_NAME_WEIGHT", 0.0
    ),
    "local words of a noun-capitalizing text in its anchor signature": _no_local,
    "compounds of a noun-capitalizing text in its anchor signature": lambda: patched(
        anchors, "_compound", lambda lower, lang: False
    ),
    "no title sentence": lambda: patched(quality, "Document", _no_title(quality.Document)),
    # No article gets a numbers signature, so the space finds nothing.
    "no numbers LSH space": lambda: patched(fingerprint, "MIN_NUMBERS", 10**9),
    "no month anchors": _no_months,
    "no loanword anchors (lowercase words against katakana, German nouns)": lambda: patched(
        anchors, "_loan_anchor", lambda raw, lang: None
    ),
    "no parts of unknown katakana compounds": lambda: patched(
        anchors, "_katakana_parts", lambda raw: ()
    ),
    "identical sentences count as translation evidence": lambda: patched(
        verify, "_outside_shared_sentences", lambda a, b, ida, idb, w: (ida, idb, w)
    ),
    "one-to-one alignment only (no 2-1 / 1-2 steps)": lambda: patched(verify, "MERGE_CREDIT", 0.0),
    "no second look by sentence-length rhythm": lambda: patched(
        verify, "RHYTHM_MIN_EVIDENCE", float("inf")
    ),
    "no copies found through their sites (dedup/sites.py)": lambda: patched(
        quality, "_through_sites", lambda world, fps, rows: []
    ),
    "site pass by rhythm alone (no shared anchors)": lambda: patched(
        sites, "anchor_logit", lambda a, b: None
    ),
    "site pass over sites linked by 2 matches or more only": lambda: patched(
        sites, "WEAK_LINK_ODDS", 0.0
    ),
    "site pass over articles nothing matched only": lambda: patched(sites, "ELSEWHERE_ODDS", 0.0),
    "no rhythm veto (pairs the anchors accept below logit 4)": lambda: patched(
        verify, "RHYTHM_VETO_BELOW", float("-inf")
    ),
    "rhythm evidence from 3.0 (instead of 3.5)": lambda: patched(
        verify, "RHYTHM_MIN_EVIDENCE", 3.0
    ),
    "second look at any sentence-count ratio (instead of 0.5)": lambda: patched(
        verify, "RHYTHM_MIN_SENTENCE_RATIO", 0.0
    ),
    "verifier threshold logit 0.5": lambda: patched(verify, "TRANSLATION_MIN_LOGIT", 0.5),
    "verifier threshold logit 2.5": lambda: patched(verify, "TRANSLATION_MIN_LOGIT", 2.5),
}


def _figures(world: World, variant: Callable[[], contextlib.AbstractContextManager]) -> dict:
    """summary() of the direct run of world under variant."""
    with variant():
        rows, _extra, _fps = quality.run_direct(world)
    return summary(world, evaluate(world, rows))


def ablation_table(world: World) -> str:
    keys = ("P all", "R alphabetic / long", "R CJK/Indic/other / long", "R verbatim / long")
    lines = ["| variant | " + " | ".join(keys) + " |", "| --- |" + " ---: |" * len(keys)]
    for name, variant in VARIANTS.items():
        figures = _figures(world, variant)
        cells = " | ".join(f"{figures.get(k, float('nan')):.3f}" for k in keys)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


# Scripts without case, simulated on the corpus' Russian and Ukrainian articles lowercased
# (quality_world.lowercase): the rules that read them, against the former ones.
CASELESS_LANGS = {"ru", "uk"}
CASELESS_VARIANTS: dict[str, Callable[[], contextlib.AbstractContextManager]] = {
    "default: anchors below Zipf 5.5, those of 3.5 and more unsigned": contextlib.nullcontext,
    "common words signed too": lambda: patched(anchors, "CASELESS_RARE", float("inf")),
    "anchors below Zipf 3.5 only (before)": lambda: patched(anchors, "CASELESS_MAX_ZIPF", 3.5),
}


def caseless_table(worlds: dict[str, World]) -> str:
    """The variants on each world with CASELESS_LANGS lowercased (the worlds are changed)."""
    keys = ("P all", "R alphabetic / long")
    head = " | ".join(f"{split}: {key}" for split in worlds for key in keys)
    lines = [f"| variant | {head} |", "| --- |" + " ---: |" * (len(keys) * len(worlds))]
    for world in worlds.values():
        lowercase(world, CASELESS_LANGS)
    for name, variant in CASELESS_VARIANTS.items():
        cells = []
        for world in worlds.values():
            figures = _figures(world, variant)
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
