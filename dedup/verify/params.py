"""The verifier's tuning values. Each is measured on the evaluation worlds of bench/quality.py
(seeds 3-5, tune halves); docs/quality.md, "The verifier", says what each decision does, and
docs/history.md how the values were chosen. A variant is `replace(VERIFIER, name=value)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.fingerprint import MIN_UNITS
from dedup.rhythm import RHYTHM, RhythmParams
from dedup.verify.model import Model

MODEL = Model.load()


@dataclass(frozen=True)
class VerifierParams:
    # Verbatim: share of the smaller text's shingles found in the other (partial copies and
    # added boilerplate still count), over a floor of shared shingles.
    verbatim_containment: float = 0.5
    verbatim_min_shingles: int = 25
    # ...and of the larger one: pages sharing a template share most of a short page only.
    verbatim_larger: float = 0.3
    # A short text found whole inside another is a copy below the shingle floor.
    verbatim_short_min_shingles: int = 8
    verbatim_short_containment: float = 0.9
    # A text whose sentences (2 or more, MIN_UNITS units) all stand verbatim in the other is a
    # copy: share buttons between paragraphs break shingles; one sentence is only a quote.
    verbatim_whole_min_sentences: int = 2
    verbatim_whole_min_units: int = MIN_UNITS
    # Sentence pairs within slack + drift * index count as on the diagonal: translations keep
    # order, an article on the same event names the same people in its own order.
    diagonal_slack: int = 2
    diagonal_drift: float = 0.15
    # Credit of a 2-1 / 1-2 alignment step: rarer than 1-1 (Gale & Church), wins only clearly.
    merge_credit: float = 0.8
    # The anchors decide a translation at this logit (docs/quality.md, "Results").
    translation_min_logit: float = 1.5
    # ...over at least this many aligned sentences and distinct shared anchors (one name
    # repeated is a topic, not a text), and this aligned weight without months.
    translation_min_sentences: int = 2
    translation_min_anchors: int = 2
    translation_min_weight: float = 8.0
    # The second look (rhythm) needs some aligned weight, a logit not far below the threshold
    # and rhythm evidence (a z-score; the first false positives come at 2.5).
    rhythm_min_weight: float = 4.0
    rhythm_min_logit: float = -4.0
    rhythm_min_evidence: float = 3.5
    # ...and one shared anchor heavier than a single digit, unless the evidence is twice the
    # threshold (no pair that is no copy reached 7 in six worlds).
    rhythm_min_anchor_weight: float = 1.0
    rhythm_strong_evidence: float = 7.0
    # ...and sentence counts within this ratio (true pairs it decides: 0.78 and more).
    rhythm_min_sentence_ratio: float = 0.5
    # The veto: a pair the anchors accept below logit 4 whose lengths don't follow each other
    # (evidence < 0.5) is two outlets on one event (16 of 23 false positives, 2 of 1,880 true).
    rhythm_veto_logit: float = 4.0
    rhythm_veto_below: float = 0.5
    # No veto for a restructured translation: anchors off the diagonal (share < 0.5 over 3+
    # sentences) within spans of about one extent (stretch <= 3; LLMs join and split).
    rhythm_veto_min_diagonal: float = 0.5
    rhythm_veto_drift_sentences: int = 3
    restructured_max_stretch: float = 3.0
    # Between same-language texts only names rarer than this count: common capitalized words
    # are shared by topic (survival weights were measured across languages).
    same_language_min_name_weight: float = 3.0
    # Whole skeletons shorter than the cut meet a cut one they begin (Italie / Italien).
    short_skeletons: bool = True
    # Anchors only in sentences both texts have verbatim are no translation evidence.
    shared_sentences_count: bool = False
    model: Model = MODEL
    rhythm: RhythmParams = field(default=RHYTHM)


VERIFIER = VerifierParams()
