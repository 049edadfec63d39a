"""Incremental matching: candidates from the index, verified, then the article joins the index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from dedup.fingerprint import Fingerprint
from dedup.verify import VERIFIER, Verdict, VerifierParams, verify
from dedup.verify.prefilter import candidates_possible

if TYPE_CHECKING:
    # Only a type here: the worker processes that verify never load the index (datasketch).
    from dedup.index import CandidateIndex

# Fingerprints of the given keys (keys without one are left out). One call per article, with
# all its candidates: a store answers a batch in one round trip.
Loader = Callable[[Iterable[str]], dict[str, Fingerprint]]


def mapping_loader(prints: Mapping[str, Fingerprint]) -> Loader:
    """A Loader over fingerprints already in memory."""
    return lambda keys: {key: prints[key] for key in keys if key in prints}


def verified(
    fp: Fingerprint, candidates: Mapping[str, Fingerprint], params: VerifierParams = VERIFIER
) -> list[tuple[str, Verdict]]:
    """The candidates that verify as copies of fp (or fp of them), best first."""
    found: list[tuple[str, Verdict]] = []
    # Most candidates fail the verifier's first tests: those are told apart all at once.
    verbatim, translation = candidates_possible(fp, list(candidates.values()), params)
    for (other, other_fp), as_verbatim, as_translation in zip(
        candidates.items(), verbatim.tolist(), translation.tolist(), strict=True
    ):
        verdict = None
        if as_verbatim or as_translation:
            verdict = verify(fp, other_fp, params, as_verbatim, as_translation)
        if verdict is not None:
            found.append((other, verdict))
    # No selection among verified candidates: keeping only the best (or those near it) was
    # measured to lose more true pairs than false ones (bench/quality.py, docs/history.md):
    # the best match of a copy is often a sibling copy of the same original.
    return sorted(found, key=lambda kv: (-kv[1].score, kv[0]))


class Matcher:
    def __init__(
        self, index: CandidateIndex, load: Loader, params: VerifierParams = VERIFIER
    ) -> None:
        self.index = index
        self.load = load
        self.params = params

    def candidates(self, key: str, fp: Fingerprint) -> list[str]:
        """Keys that may be copies of fp, among the articles indexed before it; then index fp
        under key. Verifying them (verified) may happen elsewhere, in any order."""
        found = sorted(self.index.query(fp) - {key})
        self.index.insert(key, fp)
        return found

    def match(self, key: str, fp: Fingerprint) -> list[tuple[str, Verdict]]:
        """Verified copies among the candidates of fp (best first); fp joins the index."""
        return verified(fp, self.load(self.candidates(key, fp)), self.params)
