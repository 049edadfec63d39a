"""Incremental matching: candidates from the index, verified, then the article joins the index."""

from __future__ import annotations

from collections.abc import Callable

from dedup.fingerprint import Fingerprint
from dedup.index import CandidateIndex
from dedup.verify import Verdict, verify


class Matcher:
    def __init__(self, index: CandidateIndex, load: Callable[[str], Fingerprint | None]) -> None:
        self.index = index
        self.load = load

    def match(self, key: str, fp: Fingerprint) -> list[tuple[str, Verdict]]:
        """Verified copies among the candidates of fp (best first); then index fp under key."""
        found: list[tuple[str, Verdict]] = []
        for other in sorted(self.index.query(fp)):
            if other == key:
                continue
            other_fp = self.load(other)
            if other_fp is None:
                continue
            verdict = verify(fp, other_fp)
            if verdict is not None:
                found.append((other, verdict))
        self.index.insert(key, fp)
        # No selection among verified candidates: keeping only the best (or those near it) was
        # measured to lose more true pairs than false ones (bench/quality.py, docs/quality.md):
        # the best match of a copy is often a sibling copy of the same original.
        return sorted(found, key=lambda kv: (-kv[1].score, kv[0]))
