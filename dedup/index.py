"""Candidate search: datasketch MinHashLSH over each fingerprint representation.

Three LSH spaces: lexical (word shingles, finds verbatim copies), anchors (finds translations)
and numbers. All are tuned for recall with few, short bands' worth of low Jaccard: the verifier
buys the precision back, so a missed candidate costs more than a spurious one.

Storage: by default the compact in-memory band store of `dedup.bandstore` (~2 KB per article),
searched and filled by its vectorized paths; with a datasketch `storage_config` (Redis),
datasketch's own storage, shared between processes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from dedup.bandstore import EMPTY, BandStore, KeyTable, compact_lsh
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint
from dedup.minhash import NUM_PERM, SCHEME, SIGNATURE_SIZES

# (bands, rows) per space. Probability that a pair of Jaccard s becomes a candidate is
# 1 - (1 - s^r)^b: lexical (32, 4) finds s = 0.3 at 0.23 and s = 0.5 at 0.87; anchors (128, 2)
# find s = 0.1 at 0.72, s = 0.15 at 0.95 (64 bands: 0.47 and 0.77, and which pairs of a world
# were found changed long alphabetic recall by up to 0.014 with the permutations' seed); numbers
# (32, 4) are near-identical in a translation and shared by chance rarely, so they can afford
# the selective setting.
SPACES: dict[str, tuple[int, int]] = {"lexical": (32, 4), "anchor": (128, 2), "number": (32, 4)}
# Signature length per space, as fingerprint() writes them: one value per band row.
PERMS: dict[str, int] = {name: bands * rows for name, (bands, rows) in SPACES.items()}
if PERMS != SIGNATURE_SIZES:
    raise ImportError(f"LSH spaces {PERMS} don't fit the fingerprint's signatures")
# Every fingerprint has shingles, so every key is in this space; it is written last on insert,
# so a key found there is fully inserted (what a second process sharing Redis relies on).
_MARKER = "lexical"
_SNAPSHOT_FORMAT = 2  # bump when the band store's folding or the snapshot's arrays change


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(num_perm=values.size, hashvalues=values, scheme=SCHEME)


def split_signatures(rows: np.ndarray) -> dict[str, np.ndarray]:
    """(N, minhash.SIGNATURE_WIDTH) stored signature rows as (N, PERMS[space]) views per space."""
    ends = np.cumsum(list(PERMS.values()))[:-1]
    return dict(zip(SPACES, np.split(rows, ends, axis=1), strict=True))


def _present(values: np.ndarray) -> bool:
    return values.size > 0 and not (values == EMPTY).all()


def _signatures(fp: Fingerprint) -> dict[str, np.ndarray]:
    sigs = {"lexical": fp.sig_lexical, "anchor": fp.sig_anchor, "number": fp.sig_number}
    return {name: values for name, values in sigs.items() if _present(values)}


class CandidateIndex:
    def __init__(self, storage_config: dict | None = None, prefix: str = "syndetect") -> None:
        """storage_config None: the compact in-memory store; otherwise a datasketch
        storage_config ({"type": "redis", ...}; {"type": "dict"} is datasketch's own in-memory
        storage, the baseline of bench/scale.py)."""
        self._lsh: dict[str, MinHashLSH] = {}
        self._stores: dict[str, BandStore] = {}
        self._keys: KeyTable | None = None
        if not storage_config:
            self._compact(KeyTable(), {})
            return
        for name, params in SPACES.items():
            space_config = dict(storage_config)
            # A fixed basename per space: persistent storage (Redis) is found again by the next
            # process, and the spaces don't collide. With the fingerprint version in it, an
            # index of older signatures is left behind when the articles are fingerprinted
            # again, instead of answering for them (an insert keeps a key already present).
            space_config["basename"] = f"{prefix}_v{FINGERPRINT_VERSION}_{name}".encode()
            self._lsh[name] = MinHashLSH(
                num_perm=PERMS[name], params=params, storage_config=space_config
            )

    def _compact(self, keys: KeyTable, stores: dict[str, BandStore]) -> None:
        # One key table for the three spaces: an article's key is stored once.
        self._keys = keys
        for name, params in SPACES.items():
            self._lsh[name], self._stores[name] = compact_lsh(
                PERMS[name], params, keys, stores.get(name)
            )

    def snapshot(self) -> dict[str, np.ndarray]:
        """The compact index as arrays (for np.savez), removed keys left out; `from_snapshot`
        restores it in about the time it takes to read them. Keys must be str."""
        if self._keys is None:
            raise ValueError("only the in-memory index has a snapshot")
        keys, renumber = self._keys.arrays()
        arrays = {"format": np.array([_SNAPSHOT_FORMAT, NUM_PERM]), "keys": keys}
        for name, (bands, rows) in SPACES.items():
            folded, ordinals, directory = self._stores[name].arrays(renumber)
            arrays[f"{name}_params"] = np.array([bands, rows])
            arrays[f"{name}_keys"], arrays[f"{name}_ordinals"] = folded, ordinals
            arrays[f"{name}_directory"] = directory
        return arrays

    @classmethod
    def from_snapshot(cls, arrays: Mapping[str, np.ndarray]) -> CandidateIndex:
        """The index a `snapshot` holds. ValueError if it was written with other LSH settings
        (band layout, permutations, format), whose band keys would not be found again."""
        if arrays["format"].tolist() != [_SNAPSHOT_FORMAT, NUM_PERM]:
            raise ValueError("snapshot written by another version of the index")
        stores = {}
        for name, (bands, rows) in SPACES.items():
            if arrays[f"{name}_params"].tolist() != [bands, rows]:
                raise ValueError(f"snapshot has other {name} LSH parameters")
            stores[name] = BandStore.from_arrays(
                bands,
                rows,
                arrays[f"{name}_keys"],
                arrays[f"{name}_ordinals"],
                arrays[f"{name}_directory"],
            )
        index = cls()
        index._compact(KeyTable.from_array(arrays["keys"]), stores)
        return index

    def remove(self, keys: Sequence[str]) -> None:
        """Take keys out of the index (an article whose text changed, or that was deleted);
        keys not present are ignored."""
        for key in keys:
            if self._keys is not None:
                if self._keys.has_key(key):
                    self._keys.remove(key)
                continue
            for lsh in self._lsh.values():
                if key in lsh.keys:
                    lsh.remove(key)

    def holds(self, key: str, lexical: np.ndarray, anchor: np.ndarray, number: np.ndarray) -> bool:
        """Whether key is indexed under exactly these signatures in every band (a snapshot
        checked against the database's signature rows): compact store only."""
        if self._keys is None or not self._keys.has_key(key):
            return False
        ordinal = self._keys.ordinal(key)
        for name, values in {"lexical": lexical, "anchor": anchor, "number": number}.items():
            expected = self._stores[name].bands if _present(values) else 0
            if (
                expected
                and np.count_nonzero(self._stores[name].lookup(values) == ordinal) < expected
            ):
                return False
        return True

    def insert(self, key: str, fp: Fingerprint) -> None:
        """Add a fingerprint under key; a key already present is left as it is."""
        sigs = _signatures(fp)
        if self._keys is None:
            self._insert_lsh(key, sigs)
            return
        rows = {name: sigs.get(name, np.full(PERMS[name], EMPTY))[None, :] for name in SPACES}
        self.insert_many([key], rows["lexical"], rows["anchor"], rows["number"])

    def insert_many(
        self, keys: Sequence[str], lexical: np.ndarray, anchor: np.ndarray, number: np.ndarray
    ) -> None:
        """Add many articles at once: one row per key in each (N, PERMS[space]) uint32 signature
        matrix, a row of all 0xFFFFFFFF meaning no signature in that space (the space doesn't
        index the key, as `insert` with an empty signature). Keys already present, and repeats
        within keys, are left as they are. Vectorized on the compact store, where a whole corpus
        in one call is fastest (each call's entries are sorted, then merged with the index's);
        one key after another on datasketch's storage."""
        matrices = {"lexical": lexical, "anchor": anchor, "number": number}
        for name, matrix in matrices.items():
            expected = (len(keys), PERMS[name])
            if matrix.shape != expected:
                raise ValueError(f"{name}: shape {matrix.shape}, expected {expected}")
        if self._keys is None:
            for i, key in enumerate(keys):
                self._insert_lsh(key, {n: m[i] for n, m in matrices.items() if _present(m[i])})
            return
        positions, ordinals = self._keys.register(keys)
        for name, matrix in matrices.items():
            rows = matrix if positions.size == len(keys) else matrix[positions]
            self._stores[name].add(ordinals, rows)

    def query(self, fp: Fingerprint) -> set[str]:
        """Keys whose fingerprints may be copies of fp (the verifier decides)."""
        sigs = _signatures(fp)
        if self._keys is None:
            found: set[str] = set()
            for name, values in sigs.items():
                found.update(self._lsh[name].query(_minhash(values)))
            return found
        if not sigs:
            return set()
        ordinals = np.concatenate([self._stores[name].lookup(v) for name, v in sigs.items()])
        return set(self._keys.keys_of(np.unique(ordinals)))

    def __contains__(self, key: Hashable) -> bool:
        return key in self._lsh[_MARKER]

    def __len__(self) -> int:
        return self._lsh[_MARKER].keys.size()

    def _insert_lsh(self, key: str, sigs: dict[str, np.ndarray]) -> None:
        if key in self:
            return
        for name in sorted(sigs, key=lambda name: name == _MARKER):
            self._lsh[name].insert(key, _minhash(sigs[name]), check_duplication=False)
