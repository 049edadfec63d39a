"""The calibration baseline of issue 3: a fingerprint of numbers and capitalized words,
transliterated, MinHash LSH over its set, verified by Jaccard then LCS of the sequences."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from datasketch import MinHash, MinHashLSH

JACCARD = 0.3
LCS = 0.5
_TOKEN = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_]+")


def fingerprint(text: str) -> list[str] | None:
    tokens = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        raw = m.group()
        if raw[0].isdigit():
            tokens.append(re.sub(r"\D", "", raw))
        elif raw[0].isupper():
            tokens.append(anyascii(raw).lower())
    return tokens if len(tokens) >= 3 else None


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


class BaselineMatcher:
    def __init__(self) -> None:
        self.lsh = MinHashLSH(threshold=0.3, num_perm=128)
        self.fps: dict[str, list[str]] = {}

    def match(self, key: str, fp: list[str]) -> list[tuple[str, float]]:
        mh = MinHash(num_perm=128)
        mh.update_batch([t.encode() for t in set(fp)])
        found = []
        for other in self.lsh.query(mh):
            ofp = self.fps[other]
            sa, sb = set(fp), set(ofp)
            jaccard = len(sa & sb) / len(sa | sb)
            if jaccard < JACCARD:
                continue
            lcs = _lcs(fp, ofp) / min(len(fp), len(ofp))
            if lcs >= LCS:
                found.append((other, lcs))
        self.lsh.insert(key, mh)
        self.fps[key] = fp
        return found
