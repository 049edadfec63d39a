"""Alignments of two articles' sentences: the monotone alignment by shared anchor weight that
tells a translation from an article on the same topic (as sentence alignment of parallel
corpora does), and the chain of identical sentences of a verbatim copy."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from dedup.compiled import compiled
from dedup.fingerprint import Fingerprint
from dedup.verify.keys import Shared, derived, shared_anchors
from dedup.verify.params import VerifierParams


@dataclass(frozen=True)
class Alignment:
    weight: float  # anchor weight aligned in order
    poorer: float  # anchor weight of the poorer article (sum over its sentences)
    richer: float
    path: tuple[tuple[int, int], ...]
    path_weights: np.ndarray  # aligned anchor weight of each pair in path
    shared_ids: np.ndarray  # ids in a of the shared anchors
    shared_weights: np.ndarray
    # What the floors judge (translation_min_weight, translation_min_sentences): the aligned
    # weight and the aligned pairs without months. Months on a merged (2-1) step are counted
    # at full weight on both pairs, so the weight without them is, if anything, too low.
    floor_weight: float
    floor_sentences: int

    @property
    def aligned_sentences(self) -> int:
        # A 2-1 group aligns two sentences of one side with one of the other: the smaller.
        return min(len({i for i, _ in self.path}), len({j for _, j in self.path}))

    def diagonal_share(self, params: VerifierParams) -> float:
        """Share of the aligned weight on pairs near the diagonal (params.diagonal_slack,
        params.diagonal_drift)."""
        if not self.path:
            return 0.0
        i, j = np.array(self.path, dtype=np.float64).T
        near = np.abs(i - j) <= params.diagonal_slack + params.diagonal_drift * np.maximum(i, j)
        total = float(self.path_weights.sum())
        return float(self.path_weights[near].sum()) / total if total > 0 else 0.0


def align(
    a: Fingerprint, b: Fingerprint, params: VerifierParams, shared: Shared | None = None
) -> Alignment | None:
    """The anchors' alignment of a and b; None when they share no anchor that counts.
    `shared`: shared_anchors(a, b, params) if the caller has it already."""
    ida, idb, w = shared_anchors(a, b, params) if shared is None else shared
    if ida.size and not params.shared_sentences_count:
        # Identical sentences are no translation: a shared page template, a quote, or a verbatim
        # copy (which the verbatim rule judges). Their anchors are no translation evidence.
        ida, idb, w = _outside_shared_sentences(a, b, ida, idb, w)
    weights_a, weights_b = derived(a).sentence_weights, derived(b).sentence_weights
    poorer = min(weights_a, weights_b)
    if ida.size == 0 or poorer <= 0:
        return None
    # Incidence of the shared anchors in the sentences that have any (rows of a, columns of b).
    col_of_key = np.full(len(b.keys), -1, dtype=np.int64)
    col_of_key[idb] = np.arange(idb.size)
    key_of_a = np.full(len(a.keys), -1, dtype=np.int64)
    key_of_a[ida] = np.arange(ida.size)
    inc_a, rows = _incidence(a.occ, derived(a).occ_sentence, key_of_a, ida.size)
    inc_b, cols = _incidence(b.occ, derived(b).occ_sentence, col_of_key, idb.size)
    weight, pairs, path_weights = _monotone_alignment(
        inc_a, inc_b, w.astype(np.float64), params.merge_credit
    )
    floor_weight, floor_sentences = _without_months(
        inc_a, inc_b, w, derived(a).keys.is_month[ida], pairs, weight
    )
    return Alignment(
        path_weights=path_weights,
        weight=weight,
        poorer=poorer,
        richer=max(weights_a, weights_b),
        path=tuple(zip(rows[pairs[:, 0]].tolist(), cols[pairs[:, 1]].tolist(), strict=True)),
        shared_ids=ida,
        shared_weights=w,
        floor_weight=floor_weight,
        floor_sentences=floor_sentences,
    )


def _outside_shared_sentences(
    a: Fingerprint, b: Fingerprint, ida: np.ndarray, idb: np.ndarray, w: np.ndarray
) -> Shared:
    """Drop shared anchors that occur only in sentences present verbatim in both articles."""
    # A set intersection: most pairs share no sentence, and np.intersect1d sorts both sides.
    found = derived(a).sentence_set & derived(b).sentence_set
    if not found:
        return ida, idb, w
    common = np.array(sorted(found), dtype=np.uint64)
    keep = np.ones(ida.size, dtype=bool)
    for fp, ids in ((a, ida), (b, idb)):
        sent = derived(fp).occ_sentence
        elsewhere = ~np.isin(fp.sentence_hashes[sent], common)
        alive = np.zeros(len(fp.keys), dtype=bool)
        alive[fp.occ[elsewhere]] = True
        keep &= alive[ids]
    return ida[keep], idb[keep], w[keep]


def _without_months(
    inc_a: np.ndarray,
    inc_b: np.ndarray,
    w: np.ndarray,
    month: np.ndarray,
    pairs: np.ndarray,
    weight: float,
) -> tuple[float, int]:
    """The aligned weight and the number of aligned pairs (rows of inc_a, of inc_b) once
    months are left out (a pair whose only shared anchors are months does not count)."""
    if not len(pairs) or not month.any():
        return weight, len(pairs)
    r, c = pairs.T
    both = inc_a[r] & inc_b[c]  # shared anchors of each aligned pair
    month_weight = float((both[:, month] * w[month]).sum())
    undated = int(np.count_nonzero(both[:, ~month].any(axis=1)))
    return weight - month_weight, undated


@compiled()
def _incidence(
    occ: np.ndarray, occ_sentence: np.ndarray, shared_index: np.ndarray, n_shared: int
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean matrix (sentences having shared anchors x shared anchors) and those sentences,
    from a fingerprint's anchor occurrences (occ, with the sentence of each) and the column of
    each anchor id (-1: not shared). occ runs sentence by sentence, so the rows come in order."""
    count, last = 0, -1
    for t in range(occ.size):
        if shared_index[occ[t]] >= 0 and occ_sentence[t] != last:
            count, last = count + 1, occ_sentence[t]
    incidence = np.zeros((count, n_shared), dtype=np.bool_)
    rows = np.empty(count, dtype=np.int64)
    row, last = -1, -1
    for t in range(occ.size):
        column = shared_index[occ[t]]
        if column >= 0:
            if occ_sentence[t] != last:
                row, last = row + 1, occ_sentence[t]
                rows[row] = last
            incidence[row, column] = True
    return incidence, rows


@compiled()
def _monotone_alignment(
    inc_a: np.ndarray, inc_b: np.ndarray, w: np.ndarray, merge_credit: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """Maximum-weight monotone alignment of the sentences of a (rows) to those of b (columns),
    by the weight of the anchors each aligned group shares, as in sentence alignment of parallel
    text: one sentence to one, and two to one or one to two (at merge_credit of their weight),
    because translators (LLMs above all) merge and split sentences. An anchor counts once per
    aligned group.

    Row by row, each cell takes the best of: skip a row or a column, a 1-1 step, a 2-1 step, a
    1-2 step; skipping a column is a running maximum along the row. Returns the total, the
    aligned pairs (rows, then columns) and the weight credited to each.
    """
    n, m, anchors = inc_a.shape[0], inc_b.shape[0], w.size
    # What each step would align: sentence i with j, i - 1 and i with j, i with j - 1 and j.
    sim, sim21, sim12 = np.zeros((n, m)), np.zeros((n, m)), np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            for k in range(anchors):
                if inc_b[j, k]:
                    if inc_a[i, k]:
                        sim[i, j] += w[k]
                    if i and (inc_a[i, k] or inc_a[i - 1, k]):
                        sim21[i, j] += merge_credit * w[k]
                if j and inc_a[i, k] and (inc_b[j, k] or inc_b[j - 1, k]):
                    sim12[i, j] += merge_credit * w[k]
    best = np.zeros((n + 1, m + 1))
    for i in range(n):
        running = -np.inf
        for j in range(m):
            take = best[i, j] + sim[i, j]
            if best[i, j + 1] > take:
                take = best[i, j + 1]
            if i and best[i - 1, j] + sim21[i, j] > take:
                take = best[i - 1, j] + sim21[i, j]
            if j and best[i, j - 1] + sim12[i, j] > take:
                take = best[i, j - 1] + sim12[i, j]
            if take > running:
                running = take
            best[i + 1, j + 1] = running
    # The traceback, from the last cell: the step each cell's value came from.
    rows, cols, credit = [], [], []
    i, j = n, m
    while i > 0 and j > 0:
        here = best[i, j]
        if here == best[i - 1, j]:
            i -= 1
        elif here == best[i, j - 1]:
            j -= 1
        elif here == best[i - 1, j - 1] + sim[i - 1, j - 1]:
            rows.append(i - 1)
            cols.append(j - 1)
            credit.append(sim[i - 1, j - 1])
            i, j = i - 1, j - 1
        elif i >= 2 and here == best[i - 2, j - 1] + sim21[i - 1, j - 1]:
            for row in (i - 1, i - 2):
                rows.append(row)
                cols.append(j - 1)
                credit.append(sim21[i - 1, j - 1] / 2)
            i, j = i - 2, j - 1
        else:
            for col in (j - 1, j - 2):
                rows.append(i - 1)
                cols.append(col)
                credit.append(sim12[i - 1, j - 1] / 2)
            i, j = i - 1, j - 2
    size = len(rows)
    path, path_credit = np.empty((size, 2), dtype=np.int64), np.empty(size)
    for p in range(size):
        path[p, 0], path[p, 1], path_credit[p] = rows[-1 - p], cols[-1 - p], credit[-1 - p]
    return best[n, m], path, path_credit


def align_equal(ha: np.ndarray, hb: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Longest monotone chain of identical sentences (longest increasing subsequence)."""
    positions: dict[int, list[int]] = {}
    for j, h in enumerate(hb.tolist()):
        if h:
            positions.setdefault(h, []).append(j)
    pairs = [(i, j) for i, h in enumerate(ha.tolist()) if h for j in positions.get(h, ())]
    # LIS on j over pairs sorted by i (and by descending j within one i, so an i is used once).
    pairs.sort(key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        parent[k] = tail_idx[pos - 1] if pos else -1
    chain = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    return tuple(reversed(chain))


def text_pairs(
    a: Fingerprint, b: Fingerprint, pairs: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    """Alignment in the indices of segment.sentences(text): titles kept as sentence 0 shift the
    text's sentences by one, and a pair involving a title is not a pair of text sentences."""
    ta, tb = a.title_sentences, b.title_sentences
    return tuple((i - ta, j - tb) for i, j in pairs if i >= ta and j >= tb)
