"""Candidate search: datasketch MinHashLSH over each fingerprint representation.

Two LSH spaces: lexical (word shingles, finds verbatim copies) and anchors (finds translations).
Both are tuned for recall with few, short bands' worth of low Jaccard: the verifier buys the
precision back, so a missed candidate costs more than a spurious one.
"""

from __future__ import annotations

from datasketch import MinHash, MinHashLSH

from dedup.fingerprint import Fingerprint
from dedup.minhash import NUM_PERM, SCHEME

# (bands, rows) per space. Probability that a pair of Jaccard s becomes a candidate is
# 1 - (1 - s^r)^b: lexical (32, 4) finds s = 0.3 at 0.23 and s = 0.5 at 0.87; anchors (64, 2)
# finds s = 0.1 at 0.47, s = 0.2 at 0.93; numbers (32, 4) are near-identical in a translation
# and shared by chance rarely, so they can afford the selective setting.
SPACES: dict[str, tuple[int, int]] = {"lexical": (32, 4), "anchor": (64, 2), "number": (32, 4)}
# Every fingerprint has shingles, so every key is in this space; it is written last on insert,
# so a key found there is fully inserted.
_MARKER = "lexical"


def _minhash(values) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=values, scheme=SCHEME)


def _signatures(fp: Fingerprint) -> dict[str, MinHash]:
    sigs = {"lexical": fp.sig_lexical, "anchor": fp.sig_anchor, "number": fp.sig_number}
    return {
        name: _minhash(values) for name, values in sigs.items() if values.size and name in SPACES
    }


class CandidateIndex:
    def __init__(self, storage_config: dict | None = None, prefix: str = "syndetect") -> None:
        config = dict(storage_config) if storage_config else {"type": "dict"}
        self._lsh: dict[str, MinHashLSH] = {}
        for name, params in SPACES.items():
            space_config = dict(config)
            # A fixed basename per space: persistent storage (Redis) is found again by the next
            # process, and the spaces don't collide.
            space_config["basename"] = f"{prefix}_{name}".encode()
            self._lsh[name] = MinHashLSH(
                num_perm=NUM_PERM, params=params, storage_config=space_config
            )

    def insert(self, key: str, fp: Fingerprint) -> None:
        """Add a fingerprint under key; a key already present is left as it is."""
        if key in self:
            return
        sigs = _signatures(fp)
        for name in sorted(sigs, key=lambda name: name == _MARKER):
            self._lsh[name].insert(key, sigs[name], check_duplication=False)

    def query(self, fp: Fingerprint) -> set[str]:
        """Keys whose fingerprints may be copies of fp (the verifier decides)."""
        found: set[str] = set()
        for name, sig in _signatures(fp).items():
            found.update(self._lsh[name].query(sig))
        return found

    def __contains__(self, key: str) -> bool:
        return key in self._lsh[_MARKER]

    def __len__(self) -> int:
        return self._lsh[_MARKER].keys.size()
