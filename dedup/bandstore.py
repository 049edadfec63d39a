"""Compact in-memory storage for datasketch's MinHashLSH: band keys folded to 64 bits in sorted
numpy arrays, 12 bytes per article and band instead of the ~320 of datasketch's dict storage (a
bytes band key in a dict of sets, plus MinHashLSH.keys holding every band key again per article).

A `BandStore` holds every band of one LSH space: a band key (the band's r hash values, as
`MinHashLSH._H` gives them) is folded to one uint64 (band number in the top bits, a hash of the
key below), so a query looks up all its bands with one vectorized search. Entries (folded key,
int32 article ordinal) live in
- `main` and a smaller `delta`, two sorted runs, each with a directory on the top bits of the
  folded keys (uniform within a band): a lookup reads one or two cache lines of the run instead
  of the ~25 scattered steps of a binary search over tens of millions of entries;
- recent single inserts, found through a dict, which become a sorted run every `_FLUSH`
  entries. A run joins `delta`, and `delta` joins `main` once it is 1/`_DELTA_FRACTION` of it:
  memory stays at one copy, a query searches two runs and one dict, and an insert costs
  amortized copies that grow slowly with the size. Bulk inserts are folded at once and
  sorted at the next lookup, all together, as one run.

Two different band keys of a band folding to the same uint64 (probability 2^-58 per pair with
64 bands) add a candidate; a candidate is never lost.

`BandTable` (one band, a datasketch UnorderedStorage) and `KeyTable` (article keys and their
ordinals, a datasketch OrderedStorage) put a store behind datasketch's storage interface, so
`MinHashLSH.insert`, `query`, `remove` and `key in lsh` work on it unchanged: see `compact_lsh`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH
from datasketch.storage import OrderedStorage, UnorderedStorage

EMPTY = np.uint32(0xFFFFFFFF)  # every value of the signature of an empty set: no signature
_MASK = (1 << 64) - 1
_MULT = 0x9E3779B97F4A7C15  # odd, so each fold step is a bijection of the accumulator
_FLUSH = 1 << 16  # single-insert entries kept unsorted before they become a sorted run
_DELTA_FRACTION = 8
# Staged batches smaller than malloc's largest mmap threshold (32 MB) are joined by _JOIN.
_HEAP_BLOCK = 32 << 20
_JOIN = 16
_FOLD_ROWS = 256  # rows folded per block: its transposition and temporaries stay in cache
# A directory slot wider than this holds a band key shared by many articles (boilerplate): it is
# searched on its own rather than widening the vectorized scan of every slot.
_GRID = 64


def _band_bits(bands: int) -> int:
    return max(1, (bands - 1).bit_length())


def fold_band_key(band_key: bytes, band: int, bands: int) -> int:
    """The uint64 of a band key as `MinHashLSH._H` gives it (big-endian 32-bit values): the
    band number in the top bits, a 64-bit hash of the key's words below."""
    acc = 0
    for start in range(0, len(band_key), 8):
        acc = (acc + int.from_bytes(band_key[start : start + 8], "big")) * _MULT & _MASK
    bits = _band_bits(bands)
    return (band << (64 - bits)) | (acc >> bits)


def fold_signatures(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(bands, N) uint64: `fold_band_key` of every band of (N, num_perm) uint32 signatures.
    rows must be even: a band is then whole 64-bit words."""
    # Band-major from the start: each band's keys come out contiguous.
    values = np.ascontiguousarray(signatures[:, : bands * rows].T).reshape(bands, rows, -1)
    acc = np.zeros((bands, len(signatures)), dtype=np.uint64)
    for i in range(0, rows, 2):
        # Two consecutive big-endian 32-bit values are one 64-bit word of the band key.
        word = (values[:, i].astype(np.uint64) << np.uint64(32)) | values[:, i + 1]
        acc = (acc + word) * np.uint64(_MULT)
    bits = _band_bits(bands)
    band = np.arange(bands, dtype=np.uint64) << np.uint64(64 - bits)
    return band[:, None] | (acc >> np.uint64(bits))


def _present(signatures: np.ndarray) -> np.ndarray:
    """Rows that are a signature: all EMPTY is the signature of an empty set, no signature."""
    blocks = range(0, len(signatures), _FOLD_ROWS)
    # By blocks of rows: no temporary the size of the matrix.
    masks = [~(signatures[i : i + _FOLD_ROWS] == EMPTY).all(axis=1) for i in blocks]
    return np.concatenate(masks) if masks else np.zeros(0, dtype=bool)


def _sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted keys, their positions in keys), twice as fast as np.argsort: one np.sort of the
    keys with their low bits replaced by their positions, then a repair of the few groups of
    keys equal but for those low bits (left in position order)."""
    low = np.uint64((1 << max(1, (keys.size - 1).bit_length())) - 1)
    packed = (keys & ~low) | np.arange(keys.size, dtype=np.uint64)
    packed.sort()
    order = (packed & low).astype(np.intp)
    ordered = keys[order]
    for i in np.flatnonzero(ordered[1:] < ordered[:-1]).tolist():
        lo, hi, high = i, i + 2, ordered[i] & ~low
        while lo > 0 and ordered[lo - 1] & ~low == high:
            lo -= 1
        while hi < ordered.size and ordered[hi] & ~low == high:
            hi += 1
        group = lo + np.argsort(ordered[lo:hi])
        ordered[lo:hi], order[lo:hi] = ordered[group], order[group]
    return ordered, order


@dataclass
class _Run:
    """Sorted folded keys with their ordinals; entries whose keys have top bits p are
    keys[directory[p] : directory[p + 1]]."""

    keys: np.ndarray
    ordinals: np.ndarray
    directory: np.ndarray
    shift: np.uint64

    @classmethod
    def build(cls, keys: np.ndarray, ordinals: np.ndarray) -> _Run:
        # 8 to 16 entries per slot on average: the directory costs under one byte per entry.
        bits = max(1, keys.size.bit_length() - 4)
        shift = np.uint64(64 - bits)
        bounds = np.arange(1 << bits, dtype=np.uint64) << shift
        return cls(keys, ordinals, np.append(keys.searchsorted(bounds), keys.size), shift)

    def find(self, keys: np.ndarray) -> list[np.ndarray]:
        """Ordinals stored under each of keys."""
        slot = (keys >> self.shift).astype(np.intp)
        lo = self.directory[slot]
        counts = self.directory[slot + 1] - lo
        found = []
        if counts.max(initial=0) > _GRID:
            wide = counts > _GRID
            found = [
                self._search(*args) for args in zip(keys[wide], lo[wide], counts[wide], strict=True)
            ]
            keys, lo, counts = keys[~wide], lo[~wide], counts[~wide]
        # Scan each key's slot, and what follows it up to the widest slot: entries of other
        # slots have other top bits, so they never match.
        cols = np.minimum(lo[:, None] + np.arange(counts.max(initial=0)), self.keys.size - 1)
        found.append(self.ordinals[cols[self.keys[cols] == keys[:, None]]])
        return found

    def _search(self, key: np.uint64, lo: int, count: int) -> np.ndarray:
        slot = self.keys[lo : lo + count]
        start, end = slot.searchsorted(key, "left"), slot.searchsorted(key, "right")
        return self.ordinals[lo + start : lo + end]


def _merge(a: _Run, keys: np.ndarray, ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted union of a run and sorted (keys, ordinals), in O(size) copies."""
    big, small = (a.keys, a.ordinals), (keys, ordinals)
    if keys.size > a.keys.size:
        big, small = small, big
    at = big[0].searchsorted(small[0]) + np.arange(small[0].size)
    from_big = np.ones(big[0].size + small[0].size, dtype=bool)
    from_big[at] = False
    merged = []
    for big_part, small_part in zip(big, small, strict=True):
        out = np.empty(from_big.size, dtype=big_part.dtype)
        out[at] = small_part
        out[from_big] = big_part
        merged.append(out)
    return merged[0], merged[1]


class _Pending:
    """Recent single inserts, found by key: entries in insertion order, each linked to the
    previous entry of its key (ints only: no container per key for the garbage collector to
    walk on every collection)."""

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.ordinals: list[int] = []
        self._previous: list[int] = []
        self._last: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, keys: list[int], ordinals: list[int]) -> None:
        last, previous = self._last, self._previous
        for position, key in enumerate(keys, len(self.keys)):
            previous.append(last.get(key, -1))
            last[key] = position
        self.keys.extend(keys)
        self.ordinals.extend(ordinals)

    def find(self, keys: list[int]) -> list[int]:
        found = []
        for key in keys:
            position = self._last.get(key, -1)
            while position >= 0:
                found.append(self.ordinals[position])
                position = self._previous[position]
        return found


class BandStore:
    """Every band of one LSH space: (folded band key → article ordinal) entries."""

    def __init__(self, bands: int, rows: int) -> None:
        if rows % 2:
            raise ValueError("rows per band must be even (see fold_signatures)")
        self.bands, self.rows = bands, rows
        self._main: _Run | None = None
        self._delta: _Run | None = None
        self._pending = _Pending()
        self._staged: list[tuple[np.ndarray, np.ndarray]] = []  # (bands, n) keys, n ordinals

    def __len__(self) -> int:
        """Entries stored: one per article and band."""
        runs = (run.keys.size for run in (self._main, self._delta) if run is not None)
        staged = sum(keys.size for keys, _ in self._staged)
        return sum(runs) + len(self._pending) + staged

    def add(self, ordinals: np.ndarray, signatures: np.ndarray) -> None:
        """Index (N, num_perm) uint32 signatures under their articles' ordinals; rows of all
        EMPTY (no signature) are skipped. A large N is folded now and sorted at the next lookup,
        together with the other adds since: a corpus loaded in batches costs one sort."""
        present = _present(signatures)
        ordinals = ordinals.astype(np.int32)[present]
        if ordinals.size * self.bands < _FLUSH:
            keys = fold_signatures(signatures[present], self.bands, self.rows)
            self._add_pending(keys.ravel(), np.tile(ordinals, self.bands))
            return
        keys = np.empty((self.bands, ordinals.size), dtype=np.uint64)
        done = 0
        for start in range(0, len(signatures), _FOLD_ROWS):
            block = signatures[start : start + _FOLD_ROWS]
            block = block[present[start : start + _FOLD_ROWS]]
            keys[:, done : done + len(block)] = fold_signatures(block, self.bands, self.rows)
            done += len(block)
        self._stage(keys, ordinals)

    def _stage(self, keys: np.ndarray, ordinals: np.ndarray) -> None:
        self._staged.append((keys, ordinals))
        small = [batch for batch in self._staged if batch[0].nbytes < _HEAP_BLOCK]
        if len(small) >= _JOIN:
            # Blocks this small come from malloc's heap, which keeps them resident once freed:
            # joined, a corpus loaded by small batches leaves little heap behind.
            self._staged = [batch for batch in self._staged if batch[0].nbytes >= _HEAP_BLOCK]
            joined = np.hstack([k for k, _ in small]), np.concatenate([o for _, o in small])
            self._staged.append(joined)

    def _sort_staged(self) -> None:
        """The staged adds as one run, sorted band by band (the band is the top bits of a key,
        so that sorts the whole run, each sort and gather within a cache-sized array)."""
        staged, self._staged = self._staged, []
        ordinals = np.concatenate([ordinals for _, ordinals in staged])
        # One add: sorted in place; several: each band's keys gathered into one array.
        keys = (
            staged[0][0] if len(staged) == 1 else np.empty((self.bands, ordinals.size), np.uint64)
        )
        entry_ordinals = np.empty((self.bands, ordinals.size), dtype=np.int32)
        for band in range(self.bands):
            band_keys = np.concatenate([staged_keys[band] for staged_keys, _ in staged])
            keys[band], order = _sort(band_keys)
            entry_ordinals[band] = ordinals[order]
        self._add_run(keys.ravel(), entry_ordinals.ravel())

    def _add_pending(self, keys: np.ndarray, ordinals: np.ndarray) -> None:
        self._pending.add(keys.tolist(), ordinals.tolist())
        if len(self._pending) >= _FLUSH:
            self._flush()

    def add_entry(self, key: int, ordinal: int) -> None:
        """Index one folded band key under an article ordinal."""
        self._pending.add([key], [ordinal])
        if len(self._pending) >= _FLUSH:
            self._flush()

    def lookup(self, signature: np.ndarray) -> np.ndarray:
        """Ordinals of the articles sharing at least one band with a num_perm signature."""
        return self.find(fold_signatures(signature[None, :], self.bands, self.rows).ravel())

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Ordinals stored under any of the folded keys (repeated when found in several)."""
        if self._staged:
            self._sort_staged()
        found: list[np.ndarray] = []
        for run in (self._main, self._delta):
            if run is not None:
                found.extend(run.find(keys))
        if len(self._pending):
            found.append(np.array(self._pending.find(keys.tolist()), dtype=np.int32))
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)

    def arrays(self, renumber: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every entry as one sorted run, (folded keys, ordinals, directory), for a snapshot:
        an entry's ordinal o becomes renumber[o], and entries whose renumber is -1 (removed
        articles) are left out. The store itself keeps its entries (it is left as one run)."""
        if self._staged:
            self._sort_staged()
        if len(self._pending):
            self._flush()
        if self._delta is not None:
            self._main = _Run.build(*_merge(self._main, self._delta.keys, self._delta.ordinals))
            self._delta = None
        if self._main is None:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32), np.zeros(0, np.intp)
        run = self._main
        ordinals = renumber[run.ordinals]
        kept = ordinals >= 0
        if not kept.all():
            run = _Run.build(run.keys[kept], ordinals[kept])
            ordinals = run.ordinals
        return run.keys, ordinals, run.directory

    @classmethod
    def from_arrays(
        cls, bands: int, rows: int, keys: np.ndarray, ordinals: np.ndarray, directory: np.ndarray
    ) -> BandStore:
        """A store holding the sorted run `arrays` gave."""
        store = cls(bands, rows)
        if keys.size:
            # The directory has 2^bits + 1 bounds, for the top `bits` bits of the keys.
            bits = (directory.size - 1).bit_length() - 1
            ordinals = ordinals.astype(np.int32, copy=False)
            store._main = _Run(keys, ordinals, directory, np.uint64(64 - bits))
        return store

    def _flush(self) -> None:
        keys = np.array(self._pending.keys, dtype=np.uint64)
        ordinals = np.array(self._pending.ordinals, dtype=np.int32)
        self._pending = _Pending()
        order = np.argsort(keys)
        self._add_run(keys[order], ordinals[order])

    def _add_run(self, keys: np.ndarray, ordinals: np.ndarray) -> None:
        if self._delta is not None:
            keys, ordinals = _merge(self._delta, keys, ordinals)
            self._delta = None
        if self._main is None:
            self._main = _Run.build(keys, ordinals)
        elif keys.size * _DELTA_FRACTION >= self._main.keys.size:
            self._main = _Run.build(*_merge(self._main, keys, ordinals))
        else:
            self._delta = _Run.build(keys, ordinals)


class KeyTable(OrderedStorage):
    """Article keys and their ordinals, shared by the spaces (MinHashLSH.keys) of an index.

    Band keys are not kept per article, they live only in the band stores: `get` returns none,
    so `MinHashLSH.remove` has no band entry to remove and removal is a tombstone (the key
    leaves this table; its band entries stay and lookups skip them).
    """

    def __init__(self) -> None:
        self._keys: list[Hashable | None] = []
        self._ordinals: dict[Hashable, int] = {}

    def ordinal(self, key: Hashable) -> int:
        """The key's ordinal, registering it if new."""
        found = self._ordinals.get(key)
        if found is None:
            found = self._ordinals[key] = len(self._keys)
            self._keys.append(key)
        return found

    def register(self, keys: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
        """Register the keys not present yet: (their positions in keys, their ordinals)."""
        start = len(self._keys)
        ordinals, key_list, positions = self._ordinals, self._keys, []
        fresh = dict(zip(keys, range(start, start + len(keys)), strict=True))
        if len(fresh) == len(keys) and ordinals.keys().isdisjoint(fresh):
            # All new and distinct (a corpus loaded at start): registered at C speed.
            ordinals.update(fresh)
            key_list.extend(keys)
            return np.arange(len(keys), dtype=np.intp), np.arange(
                start, len(key_list), dtype=np.int32
            )
        for position, key in enumerate(keys):
            # A key repeated in keys is registered at its first position only.
            if key not in ordinals:
                ordinals[key] = len(key_list)
                key_list.append(key)
                positions.append(position)
        return np.array(positions, dtype=np.intp), np.arange(start, len(key_list), dtype=np.int32)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(the present keys in ordinal order as a str array, renumber): renumber maps an old
        ordinal to the key's position in that array, or -1 for a removed key. Keys must be str."""
        present = np.array([key is not None for key in self._keys], dtype=bool)
        renumber = np.where(present, np.cumsum(present) - 1, -1).astype(np.int32)
        keys = np.array([key for key in self._keys if key is not None], dtype=str)
        return keys, renumber

    @classmethod
    def from_array(cls, keys: np.ndarray) -> KeyTable:
        """A table of str keys whose ordinals are their positions."""
        table = cls()
        table.register(keys.tolist())
        return table

    def keys_of(self, ordinals: np.ndarray) -> list[Hashable]:
        """Keys of ordinals, without removed ones."""
        keys = self._keys
        return [keys[o] for o in ordinals.tolist() if keys[o] is not None]

    def keys(self):
        return self._ordinals.keys()

    def get(self, key: Hashable) -> list:
        return []

    def insert(self, key: Hashable, *vals, **kwargs) -> None:
        self.ordinal(key)

    def remove(self, *keys: Hashable, **kwargs) -> None:
        for key in keys:
            self._keys[self._ordinals.pop(key)] = None

    def remove_val(self, key: Hashable, val, **kwargs) -> None:
        """Nothing to do: no band key is kept per article."""

    def size(self) -> int:
        return len(self._ordinals)

    def itemcounts(self, **kwargs) -> dict:
        return dict.fromkeys(self._ordinals, 0)

    def has_key(self, key: Hashable) -> bool:
        return key in self._ordinals


class BandTable(UnorderedStorage):
    """Band `band` of a BandStore as one of MinHashLSH.hashtables (keys: `MinHashLSH._H` bytes;
    values: article keys, stored as their KeyTable ordinals)."""

    def __init__(self, store: BandStore, band: int, keys: KeyTable) -> None:
        self._store, self._band, self._keys = store, band, keys

    def insert(self, key: bytes, *vals: Hashable, **kwargs) -> None:
        folded = fold_band_key(key, self._band, self._store.bands)
        for val in vals:
            self._store.add_entry(folded, self._keys.ordinal(val))

    def get(self, key: bytes) -> set:
        folded = np.array([fold_band_key(key, self._band, self._store.bands)], dtype=np.uint64)
        return set(self._keys.keys_of(self._store.find(folded)))

    def has_key(self, key: bytes) -> bool:
        return bool(self.get(key))

    def size(self) -> int:
        """Entries of this band (one per indexed article, removed ones included), not distinct
        band keys: enough for MinHashLSH.is_empty."""
        return len(self._store) // self._store.bands

    # Band keys are folded and their entries removed by tombstone (see KeyTable): listing band
    # keys and removing one band's entries are not possible here; MinHashLSH's insert, query and
    # remove do not need them.
    def keys(self):
        raise NotImplementedError("band keys are folded to 64 bits and cannot be listed")

    def itemcounts(self, **kwargs) -> dict:
        raise NotImplementedError("band keys are folded to 64 bits and cannot be listed")

    def remove(self, *keys: bytes, **kwargs) -> None:
        raise NotImplementedError("entries leave through KeyTable.remove")

    def remove_val(self, key: bytes, val: Hashable, **kwargs) -> None:
        raise NotImplementedError("entries leave through KeyTable.remove")


def compact_lsh(
    num_perm: int, params: tuple[int, int], keys: KeyTable, store: BandStore | None = None
) -> tuple[MinHashLSH, BandStore]:
    """A MinHashLSH stored in `store` (a new BandStore if None) and `keys` (which several LSHs
    may share), and that store, for the vectorized paths (`BandStore.add`, `BandStore.lookup`)."""
    # Built with datasketch's (empty) dict storage, then given this storage in its place:
    # datasketch's storage factory knows only its own types.
    lsh = MinHashLSH(num_perm=num_perm, params=params)
    if store is None:
        store = BandStore(lsh.b, lsh.r)
    lsh.hashtables = [BandTable(store, band, keys) for band in range(lsh.b)]
    lsh.keys = keys
    return lsh, store
