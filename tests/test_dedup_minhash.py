from __future__ import annotations

import numpy as np
from datasketch import MinHash

from dedup.minhash import ANCHOR_PERM, NUM_PERM, SCHEME, hash64, shingle_hashes, signature


def sig(values: list[int]) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM, hashvalues=signature(np.array(values, dtype=np.uint32)), scheme=SCHEME
    )


def test_signature_estimates_jaccard() -> None:
    a = list(range(0, 1000))
    b = list(range(500, 1500))  # Jaccard 1/3
    estimate = sig(a).jaccard(sig(b))
    assert abs(estimate - 1 / 3) < 0.12
    assert sig(a).jaccard(sig(a)) == 1.0


def test_signature_ignores_order_and_duplicates() -> None:
    assert np.array_equal(
        signature(np.array([3, 1, 2, 2], dtype=np.uint32)),
        signature(np.array([1, 2, 3], dtype=np.uint32)),
    )


def test_a_longer_signature_extends_a_shorter_one() -> None:
    # Anchor signatures have twice the values of the others: their first NUM_PERM are the
    # values a NUM_PERM signature has, so both estimate Jaccard alike.
    values = np.arange(100, 400, dtype=np.uint32)
    long = signature(values, ANCHOR_PERM)
    assert long.size == ANCHOR_PERM
    assert np.array_equal(long[:NUM_PERM], signature(values))
    assert not np.array_equal(long[NUM_PERM:], long[:NUM_PERM])


def test_hash64_is_stable_across_processes() -> None:
    # A fixed value: fingerprints are stored, so the hash must never depend on the process.
    assert hash64("vladivostok") == hash64("vladivostok")
    assert hash64("a") != hash64("b")
    assert hash64("") == 0xB4B2797457A0A6E4


def test_shingles_depend_on_order_and_window() -> None:
    units = np.array([hash64(w) for w in "one two three four five six".split()], dtype=np.uint64)
    reordered = units[[1, 0, 2, 3, 4, 5]]
    assert shingle_hashes(units, 5).size == 2
    assert not set(shingle_hashes(units, 5)) & set(shingle_hashes(reordered, 5))
    assert shingle_hashes(units[:3], 5).size == 1  # shorter than a window: one shingle
    assert shingle_hashes(units[:0], 5).size == 0
