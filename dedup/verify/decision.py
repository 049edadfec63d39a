"""The decision: verbatim copy, translation by its anchors, translation by the second look
(sentence-length rhythm, dedup/rhythm.py), or none; and the measurements behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from dedup.fingerprint import Fingerprint
from dedup.languages import is_cjk
from dedup.rhythm import order_evidence
from dedup.verify.alignment import Alignment, align, align_equal, text_pairs
from dedup.verify.keys import Shared, derived, shared_anchors
from dedup.verify.model import FEATURES, Measures, features
from dedup.verify.params import VERIFIER, VerifierParams

MAX_ANCHORS_SHOWN = 20  # in a Verdict, for people: the heaviest


@dataclass(frozen=True)
class Verdict:
    score: float  # 0..1; a Verdict is only returned for a decided copy
    kind: str  # "verbatim" | "translation"
    anchors: tuple[str, ...]  # shared anchors, human-readable
    aligned: tuple[tuple[int, int], ...]  # (sentence in a, sentence in b), by segment.sentences
    # Sentence-length evidence (dedup/rhythm.py) when the second look decided the pair: the
    # anchors alone were too few.
    rhythm: float | None = None


def verify(
    a: Fingerprint,
    b: Fingerprint,
    params: VerifierParams = VERIFIER,
    verbatim: bool = True,
    translation: bool = True,
) -> Verdict | None:
    """A Verdict when one article is a copy of the other; None otherwise. Symmetric in score.
    verbatim, translation False: that rule is known to fail (prefilter), so is not tried."""
    found = _verbatim(a, b, params) if verbatim else None
    if found is None and translation:
        found = _translation(a, b, params)
    return found


def _verbatim(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> Verdict | None:
    smaller = min(a.shingles.size, b.shingles.size)
    if smaller == 0:
        return None
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    containment = shared / smaller
    whole = (
        shared >= params.verbatim_short_min_shingles
        and containment >= params.verbatim_short_containment
    )
    large = (
        shared >= params.verbatim_min_shingles
        and containment >= params.verbatim_containment
        and shared >= params.verbatim_larger * max(a.shingles.size, b.shingles.size)
    )
    score = containment
    if not (whole or large):
        if not _sentences_within(a, b, params):
            return None
        score = 1.0  # all of one text's sentences
    aligned = text_pairs(a, b, align_equal(a.sentence_hashes, b.sentence_hashes))
    return Verdict(
        score=round(float(score), 6),
        kind="verbatim",
        anchors=shared_labels(a, b, params),
        aligned=aligned,
    )


def _sentences_within(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> bool:
    """Whether all the counted sentences of one text (verbatim_whole_min_sentences and
    verbatim_whole_min_units at least) are sentences of the other."""
    sa, sb = derived(a).sentence_set, derived(b).sentence_set
    for small, large, fp in ((sa, sb, a), (sb, sa, b)):
        if len(small) >= params.verbatim_whole_min_sentences and small <= large:
            counted = fp.sentence_hashes != 0
            if int(fp.sentence_units[counted].sum()) >= params.verbatim_whole_min_units:
                return True
    return False


def shared_labels(
    a: Fingerprint, b: Fingerprint, params: VerifierParams = VERIFIER
) -> tuple[str, ...]:
    """The anchors two articles share, heaviest first, as evidence shows them."""
    ida, _, w = shared_anchors(a, b, params)
    order = np.argsort(-w, kind="stable")[:MAX_ANCHORS_SHOWN]
    return tuple(a.labels[int(ida[k])] for k in order)


def _measures(a: Fingerprint, b: Fingerprint, al: Alignment, params: VerifierParams) -> Measures:
    da, db = derived(a), derived(b)
    numeric = ~da.keys.is_name[al.shared_ids]
    return Measures(
        weight=al.weight,
        poorer=al.poorer,
        richer=al.richer,
        aligned_sentences=al.aligned_sentences,
        anchored_sentences=min(da.anchored_sentences, db.anchored_sentences),
        shared_numbers=float(al.shared_weights[numeric].sum()),
        numbers=min(da.number_weight, db.number_weight),
        diagonal_share=al.diagonal_share(params),
        cjk=is_cjk(a.lang) != is_cjk(b.lang),
    )


class Bounds(NamedTuple):
    """Upper bounds of what any alignment of two articles can reach, found without aligning."""

    weight: float  # aligned weight
    undated: float  # aligned weight without months (what the floors judge)
    sentences: int  # aligned sentences (each has a shared anchor)
    numbers: float  # weight of the shared numbers (each counts once in the features)


def alignment_bounds(a: Fingerprint, b: Fingerprint, shared: Shared) -> Bounds:
    """Aligned groups are disjoint on both sides and an anchor counts once per group, so a
    shared anchor is credited at most min(its sentences in a, its sentences in b) times. Most
    LSH candidates fall below rhythm_min_weight here, which saves their alignment, the
    verifier's main cost, without changing any decision. `shared`: shared_anchors(a, b)."""
    ida, idb, w = shared
    if ida.size == 0:
        return Bounds(0.0, 0.0, 0, 0.0)
    in_a, in_b = derived(a).key_sentences[ida], derived(b).key_sentences[idb]
    credit = w * np.minimum(in_a, in_b)
    keys = derived(a).keys
    undated = ~keys.is_month[ida]
    sentences = int(min(in_a.sum(), in_b.sum()))
    numbers = float(w[~keys.is_name[ida]].sum())
    return Bounds(float(credit.sum()), float(credit[undated].sum()), sentences, numbers)


def logit_bound(a: Fingerprint, b: Fingerprint, bounds: Bounds, params: VerifierParams) -> float:
    """The highest logit an alignment within `bounds` can have: every coefficient is
    positive, so each feature at its highest value given those bounds."""
    da, db = derived(a), derived(b)
    poorer = min(da.sentence_weights, db.sentence_weights)
    if poorer <= 0:
        return float("-inf")
    best = Measures(
        weight=bounds.weight,
        poorer=poorer,
        richer=max(da.sentence_weights, db.sentence_weights),
        # Over anchored sentences: above 1 when loanwords align sentences.
        aligned_sentences=bounds.sentences,
        anchored_sentences=min(da.anchored_sentences, db.anchored_sentences),
        # The shared numbers are among the shared anchors, each credited once at least.
        shared_numbers=min(bounds.weight, bounds.numbers),
        numbers=min(da.number_weight, db.number_weight),
        diagonal_share=1.0,
        cjk=is_cjk(a.lang) != is_cjk(b.lang),
    )
    return params.model.logit(features(best))


def _translation(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> Verdict | None:
    p = params
    shared = shared_anchors(a, b, p)
    bounds = alignment_bounds(a, b, shared)
    if bounds.undated < p.rhythm_min_weight:
        return None
    # Aligning is the verifier's main cost: it is skipped when neither decision can be reached,
    # the anchors' (floor and threshold) nor the second look's, whatever the alignment.
    best = logit_bound(a, b, bounds, p)
    by_anchors_possible = (
        bounds.undated >= p.translation_min_weight and best >= p.translation_min_logit
    )
    if not by_anchors_possible and not _second_look_possible(a, b, best, p):
        return None
    al = align(a, b, p, shared)
    if al is None or al.floor_weight < p.rhythm_min_weight:
        return None
    measures = _measures(a, b, al, p)
    z = p.model.logit(features(measures))
    by_anchors = (
        al.shared_ids.size >= p.translation_min_anchors
        and al.floor_sentences >= p.translation_min_sentences
        and al.floor_weight >= p.translation_min_weight
        and z >= p.translation_min_logit
    )
    rhythm = None
    if by_anchors:
        if z < p.rhythm_veto_logit and not _restructured(al, measures.diagonal_share, p):
            evidence = _rhythm(a, b, p)
            if evidence is not None and evidence < p.rhythm_veto_below:
                return None
    else:
        if z < p.rhythm_min_logit or not _alike_lengths(a, b, p):
            return None
        evidence = _rhythm(a, b, p)
        if evidence is None or evidence < p.rhythm_min_evidence:
            return None
        # Single digits, months and loanwords (weight 1) are in every list and every date.
        weak = al.shared_weights.max() <= p.rhythm_min_anchor_weight
        if weak and evidence < p.rhythm_strong_evidence:
            return None
        rhythm = round(evidence, 3)
        # Scored as if its logit stood above the threshold by what its rhythm evidence has
        # beyond its own: every decided translation scores above the same floor.
        z = p.translation_min_logit + rhythm - p.rhythm_min_evidence
    order = np.argsort(-al.shared_weights, kind="stable")[:MAX_ANCHORS_SHOWN]
    return Verdict(
        score=round(float(1.0 / (1.0 + np.exp(-z))), 6),
        kind="translation",
        anchors=tuple(a.labels[int(al.shared_ids[k])] for k in order),
        aligned=text_pairs(a, b, al.path),
        rhythm=rhythm,
    )


def _restructured(al: Alignment, diagonal_share: float, params: VerifierParams) -> bool:
    """Whether the aligned anchors drift off the diagonal over several sentences, within
    spans of about one extent (rhythm_veto_min_diagonal, restructured_max_stretch)."""
    if (
        diagonal_share >= params.rhythm_veto_min_diagonal
        or al.aligned_sentences < params.rhythm_veto_drift_sentences
    ):
        return False
    spans = [max(side) - min(side) + 1 for side in zip(*al.path, strict=True)]
    return max(spans) <= params.restructured_max_stretch * min(spans)


def _rhythm(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> float | None:
    """Sentence-length evidence (dedup/rhythm.py) without the sentences both have verbatim:
    two pages of one template have its lines, lengths and order alike."""
    return order_evidence(_own_units(a, b), _own_units(b, a), params.rhythm)


def _own_units(fp: Fingerprint, other: Fingerprint) -> np.ndarray:
    shared = derived(fp).sentence_set & derived(other).sentence_set
    if not shared:
        return fp.sentence_units
    keep = ~np.isin(fp.sentence_hashes, np.fromiter(shared, dtype=np.uint64, count=len(shared)))
    return fp.sentence_units[keep]


def rhythm_evidence(
    a: Fingerprint, b: Fingerprint, params: VerifierParams = VERIFIER
) -> float | None:
    """The second look's sentence-length evidence of a pair whose sentence counts are alike;
    None when they are not, or when either text has too few sentences. Sentences both texts
    have verbatim are left out (a shared template)."""
    return _rhythm(a, b, params) if _alike_lengths(a, b, params) else None


def translation_logit(
    a: Fingerprint, b: Fingerprint, al: Alignment, params: VerifierParams = VERIFIER
) -> float:
    """The model's logit of an alignment of a and b (align)."""
    return params.model.logit(features(_measures(a, b, al, params)))


def anchor_logit(a: Fingerprint, b: Fingerprint, params: VerifierParams = VERIFIER) -> float | None:
    """The anchors' logit of a pair, aligned in order, when they include one that weighs more
    than 1 (single digits, months and loanwords are in every text); None otherwise."""
    al = align(a, b, params)
    if al is None or al.shared_weights.max() <= params.rhythm_min_anchor_weight:
        return None
    return translation_logit(a, b, al, params)


def _second_look_possible(
    a: Fingerprint, b: Fingerprint, best_logit: float, params: VerifierParams
) -> bool:
    """Whether the second look could decide a pair, judged without aligning it (best_logit:
    logit_bound)."""
    return (
        best_logit >= params.rhythm_min_logit
        and min(derived(a).sentences, derived(b).sentences) >= params.rhythm.min_sentences
        and _alike_lengths(a, b, params)
    )


def _alike_lengths(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> bool:
    """Sentence counts close enough for the second look (rhythm_min_sentence_ratio)."""
    na, nb = derived(a).sentences, derived(b).sentences
    return min(na, nb) >= params.rhythm_min_sentence_ratio * max(na, nb)


def explain(a: Fingerprint, b: Fingerprint, params: VerifierParams = VERIFIER) -> dict[str, float]:
    """The measurements behind verify(a, b), for benchmarks, fitting, and reading a miss."""
    smaller = min(a.shingles.size, b.shingles.size)
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    out = {
        "shingles_shared": float(shared),
        "containment": shared / smaller if smaller else 0.0,
        "aligned_sentences": 0.0,
        "floor_weight": 0.0,
        "floor_sentences": 0.0,
        "logit": float("-inf"),
    }
    al = align(a, b, params)
    values = features(_measures(a, b, al, params)) if al is not None else (0.0,) * len(FEATURES)
    out.update(zip(FEATURES, values, strict=True))
    if al is not None:
        out["aligned_sentences"] = float(len(al.path))
        out["floor_weight"] = al.floor_weight
        out["floor_sentences"] = float(al.floor_sentences)
        out["logit"] = params.model.logit(values)
    rhythm = _rhythm(a, b, params)
    out["rhythm"] = float("nan") if rhythm is None else rhythm
    return out
