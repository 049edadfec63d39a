"""syndetect's matching library: fingerprints that survive translation, candidate search with
MinHash LSH, and a verifier that decides which article is a copy of which. Pure: no network,
no database, no crawling."""

from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint, fingerprint
from dedup.index import CandidateIndex
from dedup.matcher import Matcher, mapping_loader
from dedup.originality import Provenance, choose_original
from dedup.segment import sentences
from dedup.verify import Verdict, verify

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
