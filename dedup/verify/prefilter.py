"""Which of an article's candidates can verify at all, decided for all of them at once.

An article meets a hundred LSH candidates, and nine in ten fail the verifier's first, cheap
tests: too few shared shingles for a verbatim copy, and an upper bound of the aligned anchor
weight or of the model's logit (decision.alignment_bounds, logit_bound) too low for a
translation. Pair by pair those tests cost more than the rest of verification, most of it the
Python calls of matching keys; here they run over all the candidates at once (the shingles in
a few numpy operations, the anchors in one compiled pass, dedup/compiled.py), on bounds that
are never lower than the verifier's own: every pair they drop, verify() drops too, so the
verdicts are the same, only fewer pairs go through verify().

The shared anchors are a superset of verify's (keys.shared_anchors): keys are compared by
their Python hash (a collision only adds a pair), and every kind of match (equal keys, short
skeletons against cut ones, loanwords and names without their prefixes across languages) is
counted without its one-partner rule. Every bound adds up non-negative credit per shared
anchor, and every coefficient of the model is positive, so more pairs only raise the bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedup.compiled import compiled
from dedup.fingerprint import Fingerprint
from dedup.languages import is_cjk, writes_loanwords_by_sound
from dedup.verify.keys import derived
from dedup.verify.params import VerifierParams

# Bounds are compared with the thresholds this much below them: the vectorized sums may round
# differently from the verifier's own.
_ROUNDING = 1e-9
# What a key is matched as (tags of the hashed strings): equal keys (a marked key, loanword or
# clitic, as its unmarked key), a whole short skeleton and a cut key's prefix, either side.
_EQUAL, _SHORT, _CUT = range(3)
# When a key may match (keys.shared_anchors): always; a loanword as that function lets it; a
# name without its prefixes across languages.
_ANY, _LOAN, _CLITIC = range(3)
# Values are first looked up in a bitmap of their low bits: most are not there.
_BITMAP = (1 << 16) - 1


@dataclass(frozen=True)
class Side:
    """One fingerprint's arrays as the article (probe) and as a candidate (target), kept in its
    `derived`: hashes of its keys as matched, sorted, and the anchor id of each."""

    probe: np.ndarray  # int64 hashes, sorted
    probe_ids: np.ndarray
    probe_kind: np.ndarray  # what matches it: _ANY, _LOAN (a loanword), _CLITIC (across languages)
    # Rows of (hash, what matches it, how many sentences have its anchor), one array so that
    # the candidates' are put end to end in one go; and the weight of each one's anchor.
    targets: np.ndarray  # int64, (targets, 3)
    target_weights: np.ndarray
    sentence_hashes: np.ndarray  # the non-zero sentence hashes, sorted
    # The sentences of anchor id i: anchor_sentences[anchor_starts[i] : anchor_starts[i + 1]].
    anchor_starts: np.ndarray
    anchor_sentences: np.ndarray
    # What the bounds read of the fingerprint as a whole (keys.Derived), in _SCALARS order.
    scalars: tuple[float, ...]


# Side.scalars: the keys.Derived values the logit bound reads, the sentences with lexical units,
# name odds, and whether the language writes loanwords by sound and is Chinese, Japanese or
# Korean.
_SCALARS = ("sentence_weights", "anchored", "numbers", "sentences", "name_odds", "by_sound", "cjk")


def side(fp: Fingerprint) -> Side:
    found = fp.derived.get(__name__)
    if found is None:
        found = fp.derived[__name__] = _side(fp)
    return found


def _side(fp: Fingerprint) -> Side:
    tables = derived(fp).keys
    probe: list[tuple[int, int, int]] = []
    target: list[tuple[int, int, int]] = []
    for key, i in tables.index.items():
        probe.append((hash((_EQUAL, key)), i, _ANY))
        target.append((hash((_EQUAL, key)), i, _ANY))
    for key, i in tables.short.items():
        probe.append((hash((_SHORT, key)), i, _ANY))
        target.append((hash((_CUT, key)), i, _ANY))
    for prefix, i in tables.cut.items():
        probe.append((hash((_CUT, prefix)), i, _ANY))
        target.append((hash((_SHORT, prefix)), i, _ANY))
    for marked, kind in ((tables.loan, _LOAN), (tables.clitic, _CLITIC)):
        for key, i in marked.items():
            probe.append((hash((_EQUAL, key)), i, kind))
            target.append((hash((_EQUAL, key)), i, kind))
    probe.sort()
    target_ids = np.array([i for _, i, _ in target], dtype=np.int64)
    targets = np.empty((len(target), 3), dtype=np.int64)
    targets[:, 0] = [h for h, _, _ in target]
    targets[:, 1] = [c for _, _, c in target]
    targets[:, 2] = derived(fp).key_sentences[target_ids]
    by_anchor = np.argsort(fp.occ, kind="stable")
    return Side(
        probe=np.array([h for h, _, _ in probe], dtype=np.int64),
        probe_ids=np.array([i for _, i, _ in probe], dtype=np.int64),
        probe_kind=np.array([c for _, _, c in probe], dtype=np.int8),
        targets=targets,
        target_weights=fp.weights[target_ids].astype(np.float64),
        sentence_hashes=np.unique(fp.sentence_hashes[fp.sentence_hashes != 0]),
        anchor_starts=np.concatenate(([0], np.cumsum(derived(fp).key_sentences))),
        anchor_sentences=derived(fp).occ_sentence[by_anchor],
        scalars=(
            derived(fp).sentence_weights,
            derived(fp).anchored_sentences,
            derived(fp).number_weight,
            derived(fp).sentences,
            fp.name_odds,
            writes_loanwords_by_sound(fp.lang),
            is_cjk(fp.lang),
        ),
    )


def candidates_possible(
    a: Fingerprint, candidates: Sequence[Fingerprint], params: VerifierParams
) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate b, whether verify(a, b, params) may find a verbatim copy, and
    whether it may find a translation: False when that rule surely fails."""
    if not candidates:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return _verbatim_possible(a, candidates, params), _translation_possible(a, candidates, params)


def _verbatim_possible(
    a: Fingerprint, candidates: Sequence[Fingerprint], params: VerifierParams
) -> np.ndarray:
    """Enough shared shingles for a verbatim rule, or a shared sentence for the whole-sentences
    rule (decision._verbatim)."""
    shingles = _count_found(a.shingles, *_joined([c.shingles for c in candidates]))
    sentences = _count_found(
        side(a).sentence_hashes, *_joined([side(c).sentence_hashes for c in candidates])
    )
    least = min(params.verbatim_short_min_shingles, params.verbatim_min_shingles)
    return (shingles >= least) | (sentences >= max(1, params.verbatim_whole_min_sentences))


def _joined(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per-candidate arrays end to end, and where each candidate's ends."""
    return np.concatenate(arrays), np.cumsum([len(array) for array in arrays], dtype=np.int64)


def _bitmap(values: np.ndarray) -> np.ndarray:
    table = np.zeros(_BITMAP + 1, dtype=bool)
    table[values & _BITMAP] = True
    return table


def _count_found(sorted_a: np.ndarray, values: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each candidate (its unique values up to ends[k]), how many are in sorted_a. Not
    compiled: reading the candidates' values is the cost, and a compiled loop was no faster."""
    n = ends.size
    if not sorted_a.size or not n:
        return np.zeros(n, dtype=np.int64)
    owner = np.repeat(np.arange(n), np.diff(ends, prepend=0))
    maybe = np.flatnonzero(_bitmap(sorted_a)[values & _BITMAP])
    at = np.minimum(np.searchsorted(sorted_a, values[maybe]), sorted_a.size - 1)
    return np.bincount(owner[maybe[sorted_a[at] == values[maybe]]], minlength=n)


def _translation_possible(
    a: Fingerprint, candidates: Sequence[Fingerprint], params: VerifierParams
) -> np.ndarray:
    """decision._translation's tests before the alignment, on bounds at least as high as
    alignment_bounds and logit_bound."""
    sa, da = side(a), derived(a)
    sides = [side(c) for c in candidates]
    # One column per _SCALARS name, one row per candidate; `own`, the same of a.
    of = dict(zip(_SCALARS, np.array([s.scalars for s in sides], dtype=np.float64).T, strict=True))
    own = dict(zip(_SCALARS, sa.scalars, strict=True))
    other_lang = np.array([c.lang != a.lang for c in candidates], dtype=bool)
    # Whose loanwords keys.shared_anchors matches: those of the side that writes no loanwords
    # by sound against one that does; else across languages, those of the side whose names
    # are sure (name odds 1) against one that capitalizes its nouns.
    differ = of["by_sound"] != own["by_sound"]
    loans_a = np.where(
        differ,
        of["by_sound"] == 1,
        other_lang & (of["name_odds"] < 1.0) & (own["name_odds"] >= 1.0),
    )
    loans_b = np.where(
        differ,
        own["by_sound"] == 1,
        other_lang & (own["name_odds"] < 1.0) & (of["name_odds"] >= 1.0),
    )
    targets, ends = _joined([s.targets for s in sides])
    sums = _anchor_sums(
        (sa.probe, sa.probe_ids, sa.probe_kind),
        (
            a.weights.astype(np.float64),
            da.key_sentences,
            da.keys.is_name,
            da.keys.is_month,
            sa.anchor_starts,
            sa.anchor_sentences,
        ),
        (
            targets[:, 0],
            targets[:, 1],
            np.concatenate([s.target_weights for s in sides]),
            targets[:, 2],
            ends,
        ),
        (other_lang, loans_a, loans_b),
        # Between texts of one language, names below this weight are no shared anchors.
        params.same_language_min_name_weight if a.lang is not None else -np.inf,
    )
    undated, weight, numbers, sentences_b, sentences_a = sums
    possible = undated >= params.rhythm_min_weight - _ROUNDING
    if not possible.any():
        return possible
    # An aligned sentence has a shared anchor: at most the sentences of a that have one.
    sentences = np.minimum(sentences_a, sentences_b)
    best = _logit_bounds(of, own, weight, numbers, sentences, params)
    by_anchors = (undated >= params.translation_min_weight - _ROUNDING) & (
        best >= params.translation_min_logit - _ROUNDING
    )
    fewer = np.minimum(of["sentences"], own["sentences"])
    more = np.maximum(of["sentences"], own["sentences"])
    second_look = (
        (best >= params.rhythm_min_logit - _ROUNDING)
        & (fewer >= params.rhythm.min_sentences)
        & (fewer >= params.rhythm_min_sentence_ratio * more)
    )
    return possible & (by_anchors | second_look)


# _anchor_sums' arguments: a's probe (hashes, anchor ids, kinds); a's tables by anchor id
# (weights, sentences, is_name, is_month) and the sentences of each (starts, sentences); the
# candidates' targets end to end (hashes, kinds, weights, sentences, ends); per candidate
# whether it is in another language and whose loanwords match (a's, its own).
Probe = tuple[np.ndarray, np.ndarray, np.ndarray]
Tables = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Targets = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Rules = tuple[np.ndarray, np.ndarray, np.ndarray]
# Per candidate: the credit of the shared anchors without months and with them, the weight of
# the shared numbers, the sentences of the candidate and of a that have a shared anchor.
Sums = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _anchor_sums_numpy(
    probe: Probe, tables: Tables, targets: Targets, rules: Rules, min_name_weight: float
) -> Sums:
    """_anchor_sums in numpy operations over all the candidates' targets, for CPython."""
    hashes, ids, kinds = probe
    weights, key_sentences, is_name, is_month, starts, sentences_of = tables
    target, target_kind, target_weights, target_sentences, ends = targets
    other_lang, loans_a, loans_b = rules
    n = ends.size
    owner_of_target = np.repeat(np.arange(n), np.diff(ends, prepend=0))
    maybe = np.flatnonzero(_bitmap(hashes)[target & _BITMAP])
    # Each target against every probe of a with the same hash (a cut prefix may be several).
    lo = np.searchsorted(hashes, target[maybe], "left")
    hits = np.searchsorted(hashes, target[maybe], "right") - lo
    entry = np.repeat(maybe, hits)
    first = np.cumsum(hits) - hits
    at = np.repeat(lo - first, hits) + np.arange(entry.size)
    owner = owner_of_target[entry]
    ida = ids[at]
    keep = _allowed(kinds[at], owner, other_lang, loans_a)
    keep &= _allowed(target_kind[entry], owner, other_lang, loans_b)
    w = np.minimum(weights[ida], target_weights[entry])
    keep &= other_lang[owner] | ~(is_name[ida] & (w < min_name_weight))
    owner, ida, w, in_b = owner[keep], ida[keep], w[keep], target_sentences[entry][keep]
    credit = w * np.minimum(key_sentences[ida], in_b)
    return (
        np.bincount(owner, credit * ~is_month[ida], minlength=n),
        np.bincount(owner, credit, minlength=n),
        np.bincount(owner, w * ~is_name[ida], minlength=n),
        np.bincount(owner, in_b, minlength=n),
        _sentences_with(starts, sentences_of, owner, ida, n),
    )


@compiled(interpreted=_anchor_sums_numpy)
def _anchor_sums(
    probe: Probe, tables: Tables, targets: Targets, rules: Rules, min_name_weight: float
) -> Sums:
    """What the bounds read of the anchors a shares with each candidate, in one pass over the
    candidates' targets: each against every probe of a with the same hash (a cut prefix may be
    several), where the pair's rules let that kind of key match."""
    hashes, ids, kinds = probe
    weights, key_sentences, is_name, is_month, starts, sentences_of = tables
    target, target_kind, target_weights, target_sentences, ends = targets
    other_lang, loans_a, loans_b = rules
    n = ends.size
    undated, credited, numbers = np.zeros(n), np.zeros(n), np.zeros(n)
    sentences_b, sentences_a = np.zeros(n), np.zeros(n, dtype=np.int64)
    bitmap = np.zeros(_BITMAP + 1, dtype=np.bool_)
    for value in hashes:
        bitmap[value & _BITMAP] = True
    # The candidate that last counted each sentence of a (candidates come in order).
    counted_for = np.full(sentences_of.max() + 1 if sentences_of.size else 1, -1)
    start = 0
    for k in range(n):
        for e in range(start, ends[k]):
            if not bitmap[target[e] & _BITMAP]:
                continue
            kind_b = target_kind[e]
            if not (
                kind_b == _ANY
                or (kind_b == _LOAN and loans_b[k])
                or (kind_b == _CLITIC and other_lang[k])
            ):
                continue
            at = np.searchsorted(hashes, target[e])
            while at < hashes.size and hashes[at] == target[e]:
                i, kind_a = ids[at], kinds[at]
                at += 1
                if not (
                    kind_a == _ANY
                    or (kind_a == _LOAN and loans_a[k])
                    or (kind_a == _CLITIC and other_lang[k])
                ):
                    continue
                w = min(weights[i], target_weights[e])
                if not other_lang[k] and is_name[i] and w < min_name_weight:
                    continue
                credit = w * min(key_sentences[i], target_sentences[e])
                if not is_month[i]:
                    undated[k] += credit
                credited[k] += credit
                if not is_name[i]:
                    numbers[k] += w
                sentences_b[k] += target_sentences[e]
                for s in sentences_of[starts[i] : starts[i + 1]]:
                    if counted_for[s] != k:
                        counted_for[s] = k
                        sentences_a[k] += 1
        start = ends[k]
    return undated, credited, numbers, sentences_b, sentences_a


def _allowed(
    kinds: np.ndarray, owner: np.ndarray, other_lang: np.ndarray, loans: np.ndarray
) -> np.ndarray:
    """Which matches of keys of these kinds (one per entry, with each one's candidate) count,
    `loans`: whether each candidate's pair matches this side's loanwords."""
    loan_ok = loans[owner]
    return (kinds == _ANY) | ((kinds == _LOAN) & loan_ok) | ((kinds == _CLITIC) & other_lang[owner])


def _sentences_with(
    starts: np.ndarray, sentences_of: np.ndarray, owner: np.ndarray, ids: np.ndarray, n: int
) -> np.ndarray:
    """For each candidate, the number of distinct sentences of a with one of its `ids`."""
    counts = starts[ids + 1] - starts[ids]
    entry = np.repeat(np.arange(ids.size), counts)
    at = np.repeat(starts[ids] - (np.cumsum(counts) - counts), counts)
    sentence = sentences_of[at + np.arange(entry.size)]
    stride = int(sentences_of.max(initial=0)) + 1  # (candidate, sentence) as one int
    pairs = np.unique(owner[entry] * stride + sentence)
    return np.bincount(pairs // stride, minlength=n)


def _logit_bounds(
    of: dict[str, np.ndarray],
    own: dict[str, float],
    weight: np.ndarray,
    numbers: np.ndarray,
    sentences: np.ndarray,
    params: VerifierParams,
) -> np.ndarray:
    """decision.logit_bound over all candidates: model.features and Model.logit on arrays."""
    model = params.model
    if min(model.coef) < 0:
        # A feature that lowers the logit as the bounds rise: the logit at the bounds is none.
        return np.full(weight.size, np.inf)
    weights = of["sentence_weights"]
    poorer = np.minimum(weights, own["sentence_weights"])
    richer = np.maximum(weights, own["sentence_weights"])
    anchored = np.minimum(of["anchored"], own["anchored"])
    least_numbers = np.minimum(of["numbers"], own["numbers"])
    cjk = (of["cjk"] != own["cjk"]).astype(np.float64)
    shared_numbers = np.minimum(weight, numbers)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (
            np.where(poorer > 0, np.minimum(1.0, weight / poorer), 0.0),
            np.log1p(weight),
            np.where(richer > 0, weight / richer, 0.0),
            np.where(anchored > 0, sentences / anchored, 0.0),
            np.where(least_numbers > 0, np.minimum(1.0, shared_numbers / least_numbers), 0.5),
            np.log1p(shared_numbers),
            np.ones_like(weight),
            cjk,
        )
    logit = np.full(weight.size, model.intercept)
    for value, mean, scale, coef in zip(values, model.mean, model.scale, model.coef, strict=True):
        logit += coef * (value - mean) / scale
    return np.where(poorer > 0, logit, -np.inf)
