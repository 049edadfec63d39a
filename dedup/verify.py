"""The verifier: decides whether two fingerprinted articles are copies of each other.

Verbatim copies share word 5-shingles. Translations share no words, but share anchors (numbers,
names, rare terms), and a translation keeps the order of the original: a monotone alignment of
sentences by shared anchor weight (as in sentence alignment for parallel corpora) separates a
translation from an article on the same topic, which shares names but not their order nor
the numbers that go with them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from dedup.fingerprint import Fingerprint

# Verbatim: share of the smaller article's shingles found in the other (containment, so partial
# copies and copies with added boilerplate still count), and a floor on their number.
VERBATIM_CONTAINMENT = 0.5
VERBATIM_MIN_SHINGLES = 15
# Translation: share of the poorer article's anchor weight aligned in order, and a floor on the
# aligned weight itself (a handful of shared numbers is not enough evidence).
TRANSLATION_MIN_SCORE = 0.45
TRANSLATION_MIN_WEIGHT = 12.0
TRANSLATION_MIN_SENTENCES = 2
MAX_ANCHORS_SHOWN = 20


@dataclass(frozen=True)
class Verdict:
    score: float  # 0..1; a Verdict is only returned for a decided copy
    kind: str  # "verbatim" | "translation"
    anchors: tuple[str, ...]  # shared anchors, human-readable
    aligned: tuple[tuple[int, int], ...]  # (sentence in a, sentence in b), by segment.sentences


def verify(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    """A Verdict when one article is a copy of the other; None otherwise. Symmetric in score."""
    return _verbatim(a, b) or _translation(a, b)


def _verbatim(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    smaller = min(a.shingles.size, b.shingles.size)
    if smaller == 0:
        return None
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    containment = shared / smaller
    if shared < VERBATIM_MIN_SHINGLES or containment < VERBATIM_CONTAINMENT:
        return None
    aligned = _align_equal(a.sentence_hashes, b.sentence_hashes)
    return Verdict(
        score=round(float(containment), 6),
        kind="verbatim",
        anchors=_shared_labels(a, b),
        aligned=aligned,
    )


def _align_equal(ha: np.ndarray, hb: np.ndarray) -> tuple[tuple[int, int], ...]:
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


def _shared(a: Fingerprint, b: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids of the anchors both articles have (in a, in b), with their shared weight."""
    index_b = {k: i for i, k in enumerate(b.keys)}
    ia, ib = [], []
    for i, k in enumerate(a.keys):
        j = index_b.get(k)
        if j is not None:
            ia.append(i)
            ib.append(j)
    ida, idb = np.array(ia, dtype=np.int64), np.array(ib, dtype=np.int64)
    # The smaller of the two rarity weights: a word rare in one language but common in the
    # other (a false friend sharing a prefix) counts as common.
    return ida, idb, np.minimum(a.weights[ida], b.weights[idb])


def _shared_labels(a: Fingerprint, b: Fingerprint) -> tuple[str, ...]:
    ida, _, w = _shared(a, b)
    order = np.argsort(-w, kind="stable")[:MAX_ANCHORS_SHOWN]
    return tuple(a.labels[int(ida[k])] for k in order)


def _sentence_weights(fp: Fingerprint) -> float:
    return float(fp.weights[fp.occ].sum()) if fp.occ.size else 0.0


@dataclass(frozen=True)
class _Alignment:
    weight: float  # anchor weight aligned in order
    poorer: float  # anchor weight of the poorer article (sum over its sentences)
    path: tuple[tuple[int, int], ...]
    shared_ids: np.ndarray  # ids in a of the shared anchors
    shared_weights: np.ndarray

    @property
    def score(self) -> float:
        return min(1.0, self.weight / self.poorer) if self.poorer > 0 else 0.0


def _align(a: Fingerprint, b: Fingerprint) -> _Alignment | None:
    ida, idb, w = _shared(a, b)
    poorer = min(_sentence_weights(a), _sentence_weights(b))
    if ida.size == 0 or poorer <= 0:
        return None
    # Similarity of every sentence pair: the weight of the anchors they share.
    weight_a = np.zeros(len(a.keys), dtype=np.float32)
    weight_a[ida] = w
    in_b = np.full(len(b.keys), -1, dtype=np.int64)
    in_b[idb] = ida
    sent_a = np.repeat(np.arange(a.n_sentences), np.diff(a.occ_offsets.astype(np.int64)))
    sent_b = np.repeat(np.arange(b.n_sentences), np.diff(b.occ_offsets.astype(np.int64)))
    mask_a = weight_a[a.occ] > 0
    mapped_b = in_b[b.occ]
    mask_b = mapped_b >= 0
    rows, cols = np.unique(sent_a[mask_a]), np.unique(sent_b[mask_b])
    row_of = {int(s): r for r, s in enumerate(rows)}
    col_of = {int(s): c for c, s in enumerate(cols)}
    sim = np.zeros((rows.size, cols.size), dtype=np.float64)
    by_key_a: dict[int, list[int]] = {}
    for s, k in zip(sent_a[mask_a].tolist(), a.occ[mask_a].tolist(), strict=True):
        by_key_a.setdefault(k, []).append(row_of[s])
    for s, k in zip(sent_b[mask_b].tolist(), mapped_b[mask_b].tolist(), strict=True):
        sim[by_key_a[k], col_of[s]] += weight_a[k]
    weight, path = _monotone_alignment(sim)
    return _Alignment(
        weight=weight,
        poorer=poorer,
        path=tuple((int(rows[r]), int(cols[c])) for r, c in path),
        shared_ids=ida,
        shared_weights=w,
    )


def _is_translation(al: _Alignment) -> bool:
    return (
        al.weight >= TRANSLATION_MIN_WEIGHT
        and al.score >= TRANSLATION_MIN_SCORE
        and len(al.path) >= TRANSLATION_MIN_SENTENCES
    )


def _translation(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    al = _align(a, b)
    if al is None or not _is_translation(al):
        return None
    order = np.argsort(-al.shared_weights, kind="stable")[:MAX_ANCHORS_SHOWN]
    return Verdict(
        score=round(al.score, 6),
        kind="translation",
        anchors=tuple(a.labels[int(al.shared_ids[k])] for k in order),
        aligned=al.path,
    )


def explain(a: Fingerprint, b: Fingerprint) -> dict[str, float]:
    """The measurements behind verify(a, b), for benchmarks and for reading a miss."""
    smaller = min(a.shingles.size, b.shingles.size)
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    al = _align(a, b)
    return {
        "shingles_shared": float(shared),
        "containment": shared / smaller if smaller else 0.0,
        "aligned_weight": al.weight if al else 0.0,
        "poorer_weight": al.poorer if al else 0.0,
        "score": al.score if al else 0.0,
        "aligned_sentences": float(len(al.path)) if al else 0.0,
        "sentences_a": float(a.n_sentences),
        "sentences_b": float(b.n_sentences),
    }


def _monotone_alignment(sim: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """Maximum-weight monotone one-to-one alignment of rows to columns (weighted LCS).

    Row by row: best[i, j] = max(best[i-1, j], best[i-1, j-1] + sim[i, j], best[i, j-1]); the
    last term is a running maximum along the row, so each row is two numpy operations.
    """
    n, m = sim.shape
    best = np.zeros((n + 1, m + 1), dtype=np.float64)
    for i in range(1, n + 1):
        take = np.maximum(best[i - 1, 1:], best[i - 1, :-1] + sim[i - 1])
        best[i, 1:] = np.maximum.accumulate(take)
    path: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if best[i, j] == best[i - 1, j]:
            i -= 1
        elif best[i, j] == best[i, j - 1]:
            j -= 1
        else:
            path.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    path.reverse()
    return float(best[n, m]), path
