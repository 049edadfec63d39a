from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from dedup import bandstore
from dedup.bandstore import BandStore, KeyTable, compact_lsh, fold_band_key, fold_signatures
from dedup.minhash import NUM_PERM, SCHEME


def related_signatures(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random signatures, and near-duplicates of them (10-90 % of values changed): pairs that
    share anywhere from most bands to none."""
    sigs = rng.integers(0, 2**32, (n, NUM_PERM), dtype=np.uint32)
    for i in range(n // 3, n):
        if rng.random() < 0.6:
            changed = rng.random(NUM_PERM) < rng.uniform(0.1, 0.9)
            sigs[i] = sigs[rng.integers(0, n // 3)]
            sigs[i, changed] = rng.integers(0, 2**32, int(changed.sum()), dtype=np.uint32)
    return sigs


@pytest.fixture
def small_runs(monkeypatch):
    """Flushes and merges every few inserts, staged batches joined, and crowded directory slots
    searched one by one, so that small tests go through every part of the store."""
    monkeypatch.setattr(bandstore, "_FLUSH", 200)
    monkeypatch.setattr(bandstore, "_GRID", 8)
    monkeypatch.setattr(bandstore, "_JOIN", 2)


@pytest.mark.parametrize("params", [(32, 4), (64, 2), (16, 8)])
def test_fold_of_signatures_is_fold_of_datasketch_band_keys(params) -> None:
    sigs = related_signatures(np.random.default_rng(0), 20)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=params)
    folded = fold_signatures(sigs, lsh.b, lsh.r).T
    for row, sig in enumerate(sigs):
        expected = [
            fold_band_key(lsh._H(sig[start:end]), band, lsh.b)
            for band, (start, end) in enumerate(lsh.hashranges)
        ]
        assert folded[row].tolist() == expected


def test_odd_rows_are_refused() -> None:
    with pytest.raises(ValueError):
        BandStore(32, 3)


def test_store_finds_every_entry(small_runs) -> None:
    rng = np.random.default_rng(1)
    sigs = related_signatures(rng, 600)
    store = BandStore(32, 4)
    for start in (0, 250):  # bulk adds, sorted together at the first lookup
        store.add(np.arange(start, start + 150, dtype=np.int32), sigs[start : start + 150])
    assert 0 in store.find(fold_signatures(sigs[:1], 32, 4).ravel())
    store.add(np.arange(150, 250, dtype=np.int32), sigs[150:250])  # merged with that run
    for i in range(400, 600):  # single inserts: pending, flushed into delta and main
        store.add(np.array([i], dtype=np.int32), sigs[i : i + 1])
    folded = fold_signatures(sigs, 32, 4).T
    expected: dict[int, set[int]] = {}
    for ordinal, keys in enumerate(folded.tolist()):
        for key in keys:
            expected.setdefault(key, set()).add(ordinal)
    assert len(store) == folded.size
    for key, ordinals in expected.items():
        assert set(store.find(np.array([key], dtype=np.uint64)).tolist()) == ordinals
    for row in range(0, 600, 7):
        assert set(store.lookup(sigs[row]).tolist()) == set().union(
            *(expected[k] for k in folded[row].tolist())
        )
    assert store.find(rng.integers(0, 2**64, 50, dtype=np.uint64)).size == 0


def test_compact_lsh_is_datasketch_minhash_lsh(small_runs) -> None:
    """datasketch's own insert, query, `in`, remove over the compact storage answer as over its
    dict storage."""
    sigs = related_signatures(np.random.default_rng(2), 300)
    compact, _ = compact_lsh(NUM_PERM, (32, 4), KeyTable())
    reference = MinHashLSH(num_perm=NUM_PERM, params=(32, 4))
    assert compact.is_empty()
    minhashes = [MinHash(num_perm=NUM_PERM, hashvalues=sig, scheme=SCHEME) for sig in sigs]
    for i, minhash in enumerate(minhashes):
        compact.insert(f"k{i}", minhash)
        reference.insert(f"k{i}", minhash)
    assert not compact.is_empty() and "k7" in compact and compact.keys.size() == 300
    with pytest.raises(ValueError):
        compact.insert("k7", minhashes[7])
    for minhash in minhashes:
        assert sorted(compact.query(minhash)) == sorted(reference.query(minhash))
    compact.remove("k7")
    reference.remove("k7")
    assert "k7" not in compact and compact.keys.size() == 299
    for minhash in minhashes:
        assert sorted(compact.query(minhash)) == sorted(reference.query(minhash))
