"""syndetect's matching library: fingerprints that survive translation, candidate search with
MinHash LSH, and a verifier that decides which article is a copy of which. Pure: no network,
no database, no crawling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint, fingerprint
from dedup.matcher import Matcher, mapping_loader
from dedup.originality import Provenance, choose_original
from dedup.segment import sentences
from dedup.verify import Verdict, verify

if TYPE_CHECKING:
    from dedup.index import CandidateIndex

__all__ = [
    "FINGERPRINT_VERSION",
    "CandidateIndex",
    "Document",
    "Fingerprint",
    "Matcher",
    "Provenance",
    "Verdict",
    "choose_original",
    "fingerprint",
    "mapping_loader",
    "sentences",
    "verify",
]


def __getattr__(name: str) -> Any:
    # The candidate index loads on first use: a process that only fingerprints or verifies (the
    # matcher's workers) never imports datasketch and the SciPy it pulls in, a second of
    # start-up for each worker.
    if name == "CandidateIndex":
        from dedup.index import CandidateIndex

        return CandidateIndex
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")
