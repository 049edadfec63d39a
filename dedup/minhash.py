"""Vectorized MinHash: a signature over 32-bit feature hashes in one numpy expression instead of
one Python call per feature; datasketch.MinHash(hashvalues=...) wraps it for MinHashLSH."""

from __future__ import annotations

import hashlib

import numpy as np

NUM_PERM = 128  # lexical and number signatures
# Anchor signatures are twice as long, for twice the LSH bands (see index.SPACES): a translation
# shares a fifth or a tenth of its original's anchors, where one band of two rows agrees with
# probability J^2, and 64 bands left a third of the pairs at J = 0.1 to the luck of the hashes.
ANCHOR_PERM = 2 * NUM_PERM
# A fingerprint's signatures and their lengths, in the order they are stored end to end
# (Fingerprint.signatures, crawler.match_workers.signature_bytes, index.split_signatures).
SIGNATURE_SIZES: dict[str, int] = {"lexical": NUM_PERM, "anchor": ANCHOR_PERM, "number": NUM_PERM}
SIGNATURE_WIDTH = sum(SIGNATURE_SIZES.values())
SCHEME = "affine32"  # datasketch's name for the permutation family used here
_MAX_HASH = np.uint32((1 << 32) - 1)
_SEEDS = (1, 2)  # one per NUM_PERM permutations: the first NUM_PERM stay what they were


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # datasketch's "affine32" family: h -> a * h + b mod 2^32 with odd a, a bijection of
    # 32-bit hashes; the values are handed to datasketch with that scheme.
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_TABLES = [_permutations(NUM_PERM, seed) for seed in _SEEDS]
_A = np.concatenate([a for a, _ in _TABLES])
_B = np.concatenate([b for _, b in _TABLES])


def hash64(text: str) -> int:
    """Stable 64-bit hash of a string (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def signature(hashes32: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash hashvalues (uint32, num_perm <= ANCHOR_PERM) of a set of 32-bit feature hashes;
    a shorter signature is the start of a longer one."""
    if hashes32.size == 0:
        return np.full(num_perm, _MAX_HASH, dtype=np.uint32)
    with np.errstate(over="ignore"):
        # wraps mod 2^32 by design
        phv = hashes32.astype(np.uint32)[:, None] * _A[:num_perm] + _B[:num_perm]
    return phv.min(axis=0)


def shingle_hashes(unit_hashes: np.ndarray, size: int) -> np.ndarray:
    """32-bit hashes of all runs of `size` consecutive units (a single run when shorter)."""
    n = unit_hashes.size
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    width = min(size, n)
    mixed = np.zeros(n - width + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            # An odd multiplier per position makes the mix order-sensitive.
            mixed = mixed * np.uint64(0x9E3779B97F4A7C15) + unit_hashes[k : n - width + 1 + k]
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
    return np.unique((mixed >> np.uint64(32)).astype(np.uint32))
