"""Sentence-length rhythm: a translation keeps the sequence of its original's sentence lengths.

Gale & Church (1993) aligned parallel texts by sentence lengths alone: a sentence and its
translation have lengths in a nearly constant ratio, while the sentences of two unrelated texts
have independent lengths. This is evidence for the pairs whose anchors are too few to decide
(social posts, product pages, health advice: few names, few numbers), and it holds in every
script. A text on the same topic draws its lengths from the same distribution, but not in the
same order; so the best monotone alignment of the two length sequences is compared with the
alignments of the same lengths in shuffled orders, and the evidence is how far it stands above
them (a z-score). The verifier uses it both ways (dedup/verify/): as evidence for a pair with
too few anchors, and against a pair whose anchors pass with little margin but whose sentences
don't follow each other at all (two outlets' reports on one event name the same people in the
same order).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dedup.compiled import compiled


@dataclass(frozen=True)
class RhythmParams:
    """Set by hand, then checked on the corpus' tune half: spreads of 0.25-0.35 and 0.7-1.2
    decide the same pairs within one (the evidence is a z-score: their proportions matter,
    not their scale); docs/quality.md, "The second look"."""

    # Spread of the log length ratio of a sentence and its translation (the texts' overall
    # ratio taken out), and of two unrelated sentences.
    spread_translated: float = 0.3
    spread_unrelated: float = 0.9
    # A step off the alignment: 1 kept the most true pairs above the threshold (0.25, 0.5 fewer).
    skip: float = 1.0
    # Two sentences aligned with one: rarer than 1-1, but LLM translators join and split freely.
    merge_cost: float = 1.0
    # Ratios tried around that of the mean lengths (log units): joining one sentence in four
    # makes the mean a third longer (0.29).
    ratio_offsets: tuple[float, ...] = (-0.4, -0.2, 0.0, 0.2, 0.4)
    # Shuffled orders compared with; a fixed seed, so a pair always gets the same score.
    shuffles: int = 12
    shuffle_seed: int = 0
    # Added to the z-score's denominator: a handful of sentences has few distinct orders.
    spread_floor: float = 0.5
    # Fewer sentences than this on either side say nothing about order.
    min_sentences: int = 5


RHYTHM = RhythmParams()


def order_evidence(
    units_a: np.ndarray, units_b: np.ndarray, params: RhythmParams = RHYTHM
) -> float | None:
    """How many standard deviations the alignment of the sentence lengths (lexical units per
    sentence; empty sentences ignored) of a and b stands above that of shuffled orders.
    Symmetric; None when either side has fewer than params.min_sentences sentences."""
    ua, ub = _nonempty(units_a), _nonempty(units_b)
    if min(ua.size, ub.size) < params.min_sentences:
        return None
    # Shuffle the same side whichever way round the pair comes.
    if (ua.size, ua.tolist()) > (ub.size, ub.tolist()):
        ua, ub = ub, ua
    orders = ub[_orders(ub.size, params.shuffles, params.shuffle_seed)]
    # The texts' overall ratio (a language's words are longer, a CJK text counts characters):
    # the ratio of mean lengths, which a partial copy (a prefix) keeps, but joined sentences
    # don't; so a few ratios around it are tried, and each order keeps its best.
    means = math.log1p(ua.mean()) - math.log1p(ub.mean())
    # b's log lengths laid out (sentence, ratio and order), the orders contiguous.
    offsets = np.array(params.ratio_offsets)
    ratios = means + offsets
    lb = _shifted(np.log1p(orders), ratios)
    lb_joined = _shifted(np.log1p(orders[:, :-1] + orders[:, 1:]), ratios)
    t, u = params.spread_translated, params.spread_unrelated
    scores = _best_monotone(
        (np.log1p(ua), np.log1p(ua[:-1] + ua[1:])),
        (lb, lb_joined),
        (
            # The log-likelihood ratio of a length difference d (log units), translated against
            # unrelated: d * d * slope + offset.
            -(1.0 / (2 * t * t) - 1.0 / (2 * u * u)),
            math.log(u / t),
            params.skip,
            params.merge_cost,
        ),
    )
    r, k = offsets.size, orders.shape[0]
    best = scores.reshape(r, k).max(axis=0)
    real, shuffled = best[0], best[1:]
    return float((real - shuffled.mean()) / (shuffled.std() + params.spread_floor))


@lru_cache(maxsize=256)
def _orders(m: int, shuffles: int, seed: int) -> np.ndarray:
    """Indices of m sentences in their own order, then in `shuffles` random orders: the same
    for every text of m sentences (a shuffle's swaps depend on the length alone), so a pair
    pays for none of them."""
    rng = np.random.default_rng(seed)
    identity = np.arange(m)
    orders = np.vstack([identity, rng.permuted(np.tile(identity, (shuffles, 1)), axis=1)])
    orders.flags.writeable = False
    return orders


def _nonempty(units: np.ndarray) -> np.ndarray:
    return units[units > 0].astype(np.float64)


# A text's log sentence lengths, and those of each two adjacent sentences joined (for a; for b,
# (m, k) and (m - 1, k): one column per ratio and order).
Lengths = tuple[np.ndarray, np.ndarray]
# The steps' scores: a pair's log-likelihood ratio d * d * slope + offset, skip, merge_cost.
StepCosts = tuple[float, float, float, float]


def _shifted(lengths: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """(orders, m) log lengths shifted by each ratio: (m, ratios x orders), ratio-major, with
    the orders contiguous (the innermost loop of _best_monotone)."""
    shifted = (lengths[None, :, :] + ratios[:, None, None]).reshape(-1, lengths.shape[1])
    return np.ascontiguousarray(shifted.T)


def _best_monotone_rows(a: Lengths, b: Lengths, costs: StepCosts) -> np.ndarray:
    """_best_monotone as CPython runs it fastest: a row of the table (all of b's sentences and
    orders) per numpy operation, each row an (m + 1, k) array whose orders are the contiguous
    axis, in buffers kept across rows."""
    (la, la_joined), (lb, lb_joined), (slope, offset, skip, merge_cost) = a, b, costs
    n, m, k = la.size, lb.shape[0], lb.shape[1]
    one_one = _pair_scores(la[:, None, None] - lb[None], slope, offset)
    two_one = _pair_scores(la_joined[:, None, None] - lb[None], slope, offset) - merge_cost
    one_two = _pair_scores(la[:, None, None] - lb_joined[None], slope, offset) - merge_cost
    cols = skip * np.arange(m + 1)[:, None]
    before, prev, row = np.zeros((m + 1, k)), np.zeros((m + 1, k)), np.zeros((m + 1, k))
    step = np.empty((m, k))
    best = np.zeros((m + 1, k))
    for i in range(n):
        np.add(prev[:-1], one_one[i], out=row[1:])
        np.subtract(prev[1:], skip, out=step)
        np.maximum(row[1:], step, out=row[1:])
        if i >= 1:
            np.add(before[:-1], two_one[i - 1], out=step)
            np.maximum(row[1:], step, out=row[1:])
        if m >= 2:
            split = step[: m - 1]
            np.add(prev[:-2], one_two[i], out=split)
            np.maximum(row[2:], split, out=row[2:])
        # The skip along the row, as a running maximum of D[i][j] + skip * j.
        row += cols
        before, prev, row = prev, row, before
        np.maximum.accumulate(prev, axis=0, out=prev)
        prev -= cols
        row[0] = 0.0
        np.maximum(best, prev, out=best)
    return best.max(axis=0)


def _pair_scores(d: np.ndarray, slope: float, offset: float) -> np.ndarray:
    """d * d * slope + offset, computed in place in d."""
    np.square(d, out=d)
    d *= slope
    d += offset
    return d


@compiled(interpreted=_best_monotone_rows)
def _best_monotone(a: Lengths, b: Lengths, costs: StepCosts) -> np.ndarray:
    """Best score of a monotone alignment for each of k orders: log lengths of a's sentences
    (n) and of two adjacent ones joined (n - 1), against those of b's in each order (m, k) and
    joined (m - 1, k). One-to-one steps score the pair's log-likelihood ratio, two-to-one and
    one-to-two steps the same less merge_cost, and skips cost skip. Skips before the first and
    after the last aligned pair are free: a partial copy is a prefix of its original. Row by
    row of the table D (i, j, order); skipping columns is a running maximum along the row."""
    (la, la_joined), (lb, lb_joined), (slope, offset, skip, merge_cost) = a, b, costs
    n, m, k = la.size, lb.shape[0], lb.shape[1]
    before, prev, row = np.zeros((m + 1, k)), np.zeros((m + 1, k)), np.zeros((m + 1, k))
    best = np.zeros(k)
    for i in range(n):
        for j in range(m):
            for c in range(k):
                d = la[i] - lb[j, c]
                take = prev[j, c] + (d * d * slope + offset)
                step = prev[j + 1, c] - skip
                if step > take:
                    take = step
                if i >= 1:
                    d = la_joined[i - 1] - lb[j, c]
                    step = before[j, c] + (d * d * slope + offset - merge_cost)
                    if step > take:
                        take = step
                if j >= 1:
                    d = la[i] - lb_joined[j - 1, c]
                    step = prev[j - 1, c] + (d * d * slope + offset - merge_cost)
                    if step > take:
                        take = step
                row[j + 1, c] = take
        # A skip along the row: D[i][j] = max over j' <= j of D[i][j'] - skip * (j - j').
        for c in range(k):
            running = -np.inf
            for j in range(m + 1):
                shifted = row[j, c] + skip * j
                if shifted > running:
                    running = shifted
                row[j, c] = running - skip * j
                if row[j, c] > best[c]:
                    best[c] = row[j, c]
        before, prev, row = prev, row, before
        row[0, :] = 0.0
    return best
