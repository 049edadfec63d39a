"""Sentence-length rhythm: a translation keeps the sequence of its original's sentence lengths.

Gale & Church (1993) aligned parallel texts by sentence lengths alone: a sentence and its
translation have lengths in a nearly constant ratio, while the sentences of two unrelated texts
have independent lengths. This is evidence for the pairs whose anchors are too few to decide
(social posts, product pages, health advice: few names, few numbers), and it holds in every
script. A text on the same topic draws its lengths from the same distribution, but not in the
same order; so the best monotone alignment of the two length sequences is compared with the
alignments of the same lengths in shuffled orders, and the evidence is how far it stands above
them (a z-score). The verifier uses it both ways (dedup/verify.py): as evidence for a pair with
too few anchors, and against a pair whose anchors pass with little margin but whose sentences
don't follow each other at all (two outlets' reports on one event name the same people in the
same order).
"""

from __future__ import annotations

import math

import numpy as np

# Spread of the log length ratio of a sentence and its translation (after the texts' overall
# ratio is taken out), and of two unrelated sentences; a step off the alignment costs SKIP.
# Set by hand, then checked on the corpus' tune half (one-to-one steps only, before the 2-1
# steps were added): spreads of 0.25-0.35 and 0.7-1.2 decide the same pairs within one (the
# evidence is a z-score: their proportions matter, not their scale); a skip cost of 1 kept the
# most pairs above the threshold (0.25 and 0.5: fewer).
SPREAD_TRANSLATED = 0.3
SPREAD_UNRELATED = 0.9
SKIP = 1.0
# Two sentences aligned with one cost this much: such steps are rarer than one-to-one ones
# (Gale & Church: about one in ten), but LLM translators join and split sentences freely.
MERGE_COST = 1.0
# Tried around the ratio of mean sentence lengths (log units): a translator who joins one
# sentence in four makes the mean a third longer (0.29).
RATIO_OFFSETS = np.array([-0.4, -0.2, 0.0, 0.2, 0.4])
# Shuffled orders the alignment is compared with; fixed, so a pair always gets the same score.
SHUFFLES = 12
SHUFFLE_SEED = 0
# The z-score's denominator gets this much added: a handful of sentences has few distinct
# orders, whose scores spread too little to divide by.
SPREAD_FLOOR = 0.5
# Fewer sentences than this on either side say nothing about order.
MIN_SENTENCES = 5


def order_evidence(units_a: np.ndarray, units_b: np.ndarray) -> float | None:
    """How many standard deviations the alignment of the sentence lengths (lexical units per
    sentence; empty sentences ignored) of a and b stands above that of shuffled orders.
    Symmetric; None when either side has fewer than MIN_SENTENCES sentences."""
    ua, ub = _nonempty(units_a), _nonempty(units_b)
    if min(ua.size, ub.size) < MIN_SENTENCES:
        return None
    # Shuffle the same side whichever way round the pair comes.
    if (ua.size, ua.tolist()) > (ub.size, ub.tolist()):
        ua, ub = ub, ua
    rng = np.random.default_rng(SHUFFLE_SEED)
    orders = np.vstack([ub, rng.permuted(np.tile(ub, (SHUFFLES, 1)), axis=1)])
    # The texts' overall ratio (a language's words are longer, a CJK text counts characters):
    # the ratio of mean lengths, which a partial copy (a prefix) keeps, but joined sentences
    # don't; so a few ratios around it are tried, and each order keeps its best.
    means = math.log1p(ua.mean()) - math.log1p(ub.mean())
    ratio = (means + RATIO_OFFSETS)[:, None, None, None]  # broadcast: (ratio, order, n, m)
    la, lb = np.log1p(ua), np.log1p(orders)
    # Sentence pairs, and two adjacent sentences of either side joined (a translator joined
    # or split them): their lengths add up.
    one_one = _pair_scores(la[:, None] - lb[:, None, :] - ratio)
    two_one = _pair_scores(np.log1p(ua[:-1] + ua[1:])[:, None] - lb[:, None, :] - ratio)
    one_two = _pair_scores(
        la[:, None] - np.log1p(orders[:, :-1] + orders[:, 1:])[:, None, :] - ratio
    )
    r, k, n, m = one_one.shape
    scores = _best_monotone(
        one_one.reshape(r * k, n, m),
        two_one.reshape(r * k, n - 1, m),
        one_two.reshape(r * k, n, m - 1),
    )
    best = scores.reshape(r, k).max(axis=0)
    real, shuffled = best[0], best[1:]
    return float((real - shuffled.mean()) / (shuffled.std() + SPREAD_FLOOR))


def _nonempty(units: np.ndarray) -> np.ndarray:
    return units[units > 0].astype(np.float64)


def _pair_scores(d: np.ndarray) -> np.ndarray:
    """Log-likelihood ratio of each length difference (log units): translated vs unrelated."""
    t, u = SPREAD_TRANSLATED, SPREAD_UNRELATED
    return math.log(u / t) - d * d * (1.0 / (2 * t * t) - 1.0 / (2 * u * u))


def _best_monotone(one_one: np.ndarray, two_one: np.ndarray, one_two: np.ndarray) -> np.ndarray:
    """Best score of a monotone alignment for each of k orders: one-to-one steps (k, n, m),
    two-to-one (k, n - 1, m) and one-to-two (k, n, m - 1) steps at MERGE_COST, skips at SKIP.
    Skips before the first and after the last aligned pair are free: a partial copy is a prefix
    of its original. Row by row, vectorized over the orders and the columns."""
    k, n, m = one_one.shape
    cols = SKIP * np.arange(m + 1)
    before = prev = np.zeros((k, m + 1))  # rows i - 2 and i - 1
    best = np.zeros(k)
    for i in range(n):
        row = np.zeros((k, m + 1))
        row[:, 1:] = np.maximum(prev[:, :-1] + one_one[:, i, :], prev[:, 1:] - SKIP)
        if i >= 1:
            joined = before[:, :-1] + two_one[:, i - 1, :] - MERGE_COST
            row[:, 1:] = np.maximum(row[:, 1:], joined)
        if m >= 2:
            split = prev[:, :-2] + one_two[:, i, :] - MERGE_COST
            row[:, 2:] = np.maximum(row[:, 2:], split)
        # A skip along the row: D[i][j] = max over j' <= j of D[i][j'] - SKIP * (j - j').
        before, prev = prev, np.maximum.accumulate(row + cols, axis=1) - cols
        best = np.maximum(best, prev.max(axis=1))
    return best
