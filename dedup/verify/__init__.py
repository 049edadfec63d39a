"""The verifier: decides whether two fingerprinted articles are copies of each other.

Verbatim copies share word 5-shingles. Translations share no words, but share anchors (numbers,
names, rare terms), and a translation keeps the order of the original: a monotone alignment of
sentences by shared anchor weight (as in sentence alignment for parallel corpora) separates a
translation from an article on the same topic, which shares names but not their order nor
the numbers that go with them. A pair with too few anchors to decide gets a second look: a
translation also keeps the sequence of its sentence lengths (dedup/rhythm.py).

By job: keys.py (which anchors two texts share), alignment.py (sentence alignments), model.py
(features and the fitted model, model.json), decision.py (the rules); params.py the values.
"""

from dedup.verify.decision import (
    Verdict,
    anchor_logit,
    explain,
    rhythm_evidence,
    shared_labels,
    verify,
)
from dedup.verify.model import FEATURES, Model
from dedup.verify.params import VERIFIER, VerifierParams

__all__ = [
    "FEATURES",
    "VERIFIER",
    "Model",
    "Verdict",
    "VerifierParams",
    "anchor_logit",
    "explain",
    "rhythm_evidence",
    "shared_labels",
    "verify",
]
