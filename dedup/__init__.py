"""syndetect's matching library: fingerprints that survive translation, candidate search with
MinHash LSH, and a verifier that decides which article is a copy of which. Pure: no network,
no database, no crawling.

The names most callers need are here; the functions named like their modules stay in them
(`from dedup.fingerprint import fingerprint`, `from dedup.verify import verify`), so that
`dedup.fingerprint` and `dedup.verify` are always the modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint
from dedup.matcher import Matcher, mapping_loader
from dedup.originality import Provenance, choose_original
from dedup.segment import sentences
from dedup.verify import Verdict

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
    "mapping_loader",
    "sentences",
]


def __getattr__(name: str) -> Any:
    # The candidate index loads on first use: a process that only fingerprints or verifies (the
    # matcher's workers) never imports datasketch and the SciPy it pulls in, a second of
    # start-up for each worker.
    if name == "CandidateIndex":
        from dedup.index import CandidateIndex

        return CandidateIndex
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")
