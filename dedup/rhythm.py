"""Sentence-length rhythm: a translation keeps the sequence of its original's sentence lengths.

Gale & Church (1993) aligned parallel texts by sentence lengths alone: a sentence and its
translation have lengths in a nearly constant ratio, while the sentences of two unrelated texts
have independent lengths. This is evidence for the pairs whose anchors are too few to decide
(social posts, product pages, health advice: few names, few numbers), and it holds in every
script. A text on the same topic draws its lengths from the same distribution, but not in the
same order; so the best monotone alignment of the two length sequences is compared with the
alignments of the same lengths in shuffled orders, and the evidence is how far it stands above
them (a z-score).
"""

from __future__ import annotations

import math

import numpy as np

# Spread of the log length ratio of a sentence and its translation (after the texts' overall
# ratio is taken out), and of two unrelated sentences; a step off the alignment costs SKIP.
# Measured on translations of the corpus' tune half; the evidence is a z-score, so only their
# proportions matter much.
SPREAD_TRANSLATED = 0.3
SPREAD_UNRELATED = 0.9
SKIP = 1.0
# Shuffled orders the alignment is compared with; fixed, so a pair always gets the same score.
SHUFFLES = 12
SHUFFLE_SEED = 0
# The z-score's denominator gets this much added: a handful of sentences has few distinct
# orders, whose scores spread too little to divide by.
SPREAD_FLOOR = 0.5
# Fewer sentences than this on either side say nothing about order.
MIN_SENTENCES = 5


def order_evidence(units_a: np.ndarray, units_b: np.ndarray) -> float:
    """How many standard deviations the alignment of the sentence lengths (lexical units per
    sentence; empty sentences ignored) of a and b stands above that of shuffled orders.
    Symmetric; 0.0 when either side has fewer than MIN_SENTENCES sentences."""
    la, lb = _log_lengths(units_a), _log_lengths(units_b)
    if min(la.size, lb.size) < MIN_SENTENCES:
        return 0.0
    # Shuffle the same side whichever way round the pair comes.
    if (la.size, la.tolist()) > (lb.size, lb.tolist()):
        la, lb = lb, la
    rng = np.random.default_rng(SHUFFLE_SEED)
    orders = np.vstack([lb, rng.permuted(np.tile(lb, (SHUFFLES, 1)), axis=1)])
    # The texts' overall ratio (a language's words are longer, a CJK text counts characters):
    # the ratio of mean lengths, which a partial copy (a prefix) keeps.
    ratio = math.log(np.exp(la).mean()) - math.log(np.exp(lb).mean())
    d = la[None, :, None] - orders[:, None, :] - ratio
    scores = _best_monotone(_pair_scores(d))
    real, shuffled = scores[0], scores[1:]
    return float((real - shuffled.mean()) / (shuffled.std() + SPREAD_FLOOR))


def _log_lengths(units: np.ndarray) -> np.ndarray:
    u = units[units > 0].astype(np.float64)
    return np.log1p(u)


def _pair_scores(d: np.ndarray) -> np.ndarray:
    """Log-likelihood ratio of each sentence pair's length difference: translated vs unrelated."""
    t, u = SPREAD_TRANSLATED, SPREAD_UNRELATED
    return math.log(u / t) - d * d * (1.0 / (2 * t * t) - 1.0 / (2 * u * u))


def _best_monotone(s: np.ndarray) -> np.ndarray:
    """Best score of a monotone one-to-one alignment with skips, for each of k score matrices
    (k, n, m). Skips before the first and after the last aligned pair are free: a partial
    copy is a prefix of its original. Row by row, vectorized over k and the columns."""
    k, n, m = s.shape
    cols = SKIP * np.arange(m + 1)
    prev = np.zeros((k, m + 1))
    best = np.zeros(k)
    for i in range(n):
        row = np.zeros((k, m + 1))
        row[:, 1:] = np.maximum(prev[:, :-1] + s[:, i, :], prev[:, 1:] - SKIP)
        # A skip along the row: D[i][j] = max over j' <= j of D[i][j'] - SKIP * (j - j').
        prev = np.maximum.accumulate(row + cols, axis=1) - cols
        best = np.maximum(best, prev.max(axis=1))
    return best
