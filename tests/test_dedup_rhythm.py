"""Sentence-length rhythm (dedup/rhythm.py) and the verifier's second look that uses it, on
synthetic length sequences and on a project-written product review with a French translation
and a French review of the same kettle (same brand, shop and price, another text), and
another outlet's German report on the ferry story of test_dedup_verify."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from dedup.document import Document
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.rhythm import RHYTHM, _orders, order_evidence
from dedup.verify import VERIFIER, explain, rhythm_evidence, verify

RHYTHM_MIN_EVIDENCE = VERIFIER.rhythm_min_evidence
RHYTHM_MIN_WEIGHT = VERIFIER.rhythm_min_weight
RHYTHM_VETO_BELOW = VERIFIER.rhythm_veto_below
TRANSLATION_MIN_SENTENCES = VERIFIER.translation_min_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def lengths(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(3, 40, size=n)


def translated(units: np.ndarray, ratio: float = 1.2, seed: int = 2) -> np.ndarray:
    """Each sentence's length times a language's ratio, give or take 15%."""
    noise = np.random.default_rng(seed).uniform(0.85, 1.15, size=units.size)
    return np.maximum(1, np.round(units * ratio * noise)).astype(np.int64)


def test_a_translation_keeps_the_rhythm() -> None:
    original = lengths(15)
    assert order_evidence(original, translated(original)) >= RHYTHM_MIN_EVIDENCE


def test_the_same_lengths_in_another_order_are_no_evidence() -> None:
    original = lengths(15)
    shuffled = np.random.default_rng(7).permutation(translated(original))
    assert order_evidence(original, shuffled) < 2.0


def test_unrelated_texts_are_no_evidence() -> None:
    scores = [order_evidence(lengths(15, seed), lengths(14, seed + 100)) for seed in range(20)]
    assert max(scores) < RHYTHM_MIN_EVIDENCE


def test_a_partial_copy_keeps_the_rhythm_of_its_beginning() -> None:
    original = lengths(20)
    assert order_evidence(original, translated(original[:12])) >= RHYTHM_MIN_EVIDENCE


def test_a_translator_joining_sentences_keeps_the_rhythm() -> None:
    # Three pairs of sentences joined into one: their lengths add up (two-to-one steps), and
    # the mean sentence length, from which the length ratio is estimated, grows by a fifth.
    original = lengths(20)
    joined = list(translated(original))
    for i in (12, 7, 2):
        joined[i : i + 2] = [joined[i] + joined[i + 1]]
    assert order_evidence(original, np.array(joined)) >= RHYTHM_MIN_EVIDENCE + 1.0


def test_symmetric_and_ignores_empty_sentences() -> None:
    a, b = lengths(12), translated(lengths(12))
    assert order_evidence(a, b) == order_evidence(b, a)
    with_empty = np.insert(b, [0, 5], 0)
    assert order_evidence(a, with_empty) == order_evidence(a, b)


def test_too_few_sentences_say_nothing() -> None:
    a = lengths(RHYTHM.min_sentences - 1)
    assert order_evidence(a, translated(a)) is None


def text_of(*names: str) -> str:
    """The fixtures' texts, one after another as one page."""
    return "\n\n".join(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8") for name in names)


def fp_of(name: str) -> Fingerprint:
    fp = fingerprint(Document(text_of(name), name[-2:]))
    assert fp is not None
    return fp


def test_a_review_with_few_anchors_is_matched_by_its_rhythm() -> None:
    en, fr = fp_of("kettle_en"), fp_of("kettle_fr")
    facts = explain(en, fr)
    # A brand, a shop and a price, all in the first sentence: too little for the anchor model.
    assert facts["floor_sentences"] < TRANSLATION_MIN_SENTENCES
    assert facts["rhythm"] >= RHYTHM_MIN_EVIDENCE
    verdict = verify(en, fr)
    assert verdict is not None and verdict.kind == "translation"
    assert verdict.rhythm == round(facts["rhythm"], 3)
    assert set(verdict.anchors) == {"brevilia", "amazon", "35"}
    assert verdict.score == verify(fr, en).score


@pytest.mark.parametrize("other", ["kettle_en", "kettle_fr"])
def test_another_review_of_the_same_kettle_is_not(other: str) -> None:
    # Same brand, shop and price, same kind of sentences: the second look is reached, and
    # only the rhythm tells the texts apart.
    distractor = fp_of("kettle_other_fr")
    assert explain(fp_of(other), distractor)["floor_weight"] >= RHYTHM_MIN_WEIGHT
    assert verify(fp_of(other), distractor) is None


FILLER = [
    "We also tried an espresso pot last week, and it makes a very strong coffee.",
    "The filter is easy to clean under the tap.",
    "My sister prefers green tea, which she drinks without sugar, even in winter.",
    "More on that later.",
    "In the garden the tomatoes finally ripened after a rather cool and rainy summer.",
    "The neighbours planted courgettes.",
    "They grow everywhere, even under the hedge, and nobody knows what to do with them.",
    "The cat sleeps in the sun on the window sill and only moves to eat.",
    "The soup recipe is simple: water, salt, an onion and a lot of patience.",
    "The children want pasta every evening, with grated cheese and nothing else.",
]


def test_the_second_look_needs_alike_sentence_counts() -> None:
    # The review on a page three times its length: a short text can be placed somewhere in a
    # long one by chance, so its rhythm proves little there.
    text = text_of("kettle_en")
    page = fingerprint(Document(text + "\n\n" + "\n\n".join(FILLER * 2), "en"))
    assert page is not None
    assert explain(page, fp_of("kettle_fr"))["rhythm"] >= RHYTHM_MIN_EVIDENCE
    assert verify(page, fp_of("kettle_fr")) is None
    any_ratio = replace(VERIFIER, rhythm_min_sentence_ratio=0.0)
    assert verify(page, fp_of("kettle_fr"), any_ratio) is not None


def test_a_translation_rich_in_anchors_is_decided_without_the_rhythm() -> None:
    verdict = verify(fp_of("ferry_en"), fp_of("ferry_de"))
    assert verdict is not None and verdict.kind == "translation" and verdict.rhythm is None


def test_sentences_shared_verbatim_are_left_out_of_the_rhythm() -> None:
    # Two pages of one template have its lines in the same order: no evidence of translation.
    template = "\n\n".join(
        f"Line {i} of the site template " + "word " * (3 * i % 17) for i in range(12)
    )
    a = fingerprint(Document("Ein kurzer Text über den Wasserkocher.\n\n" + template, "de"))
    b = fingerprint(Document("Un court texte sur la bouilloire.\n\n" + template, "fr"))
    assert a is not None and b is not None
    assert rhythm_evidence(a, b) is None


@pytest.mark.parametrize("translation", ["ferry_en", "ferry_ru", "ferry_de"])
def test_a_report_on_the_same_event_is_vetoed_by_its_rhythm(translation: str) -> None:
    # Another outlet's German report on the ferry line: the same names and years in the same
    # order, which the anchor model alone accepts, but written in sentences of its own.
    report = fp_of("ferry_report_de")
    facts = explain(fp_of(translation), report)
    assert facts["rhythm"] < RHYTHM_VETO_BELOW
    assert verify(fp_of(translation), report) is None
    no_veto = replace(VERIFIER, rhythm_veto_below=float("-inf"))
    assert verify(fp_of(translation), report, no_veto) is not None


def weak_anchors_only(name: str, swaps: dict[str, str]) -> Fingerprint:
    text = text_of(name)
    for old, new in swaps.items():
        assert old in text
        text = text.replace(old, new)
    fp = fingerprint(Document(text, name[-2:]))
    assert fp is not None
    return fp


def test_anchors_of_weight_one_need_a_strong_rhythm() -> None:
    # The review without its brand, shop and price: what both versions share are single
    # digits (weight 1), as a numbered list shares with any other list. Its rhythm (about 5)
    # passes the second look's threshold but not the one that makes up for such anchors.
    en = weak_anchors_only(
        "kettle_en",
        {
            "the Brevilia kettle on Amazon for 35 euros three weeks ago": "it 3 weeks ago",
            "two things": "2 things",
            "takes a minute": "takes 1 minute",
            "The cable is short": "The cable is short, 5 feet at most",
        },
    )
    fr = weak_anchors_only(
        "kettle_fr",
        {
            "la bouilloire Brevilia sur Amazon pour 35 euros il y a trois semaines": (
                "la bouilloire il y a 3 semaines"
            ),
            "deux choses": "2 choses",
            "prend une minute": "prend 1 minute",
            "Le câble est court": "Le câble est court, 5 pieds au plus",
        },
    )
    facts = explain(en, fr)
    assert facts["floor_weight"] >= RHYTHM_MIN_WEIGHT
    assert RHYTHM_MIN_EVIDENCE <= facts["rhythm"] < VERIFIER.rhythm_strong_evidence
    assert verify(en, fr) is None
    verdict = verify(en, fr, replace(VERIFIER, rhythm_strong_evidence=facts["rhythm"]))
    assert verdict is not None and verdict.kind == "translation"


def every_two_sentences_joined(text: str) -> str:
    from dedup.segment import sentences

    parts = sentences(text)
    return "\n".join(
        ", ".join(s.rstrip(".") for s in parts[i : i + 2]) + "." for i in range(0, len(parts), 2)
    )


def test_the_veto_stays_out_of_a_translation_that_joined_sentences() -> None:
    # Two stories on one page, translated by a system that joins every two sentences, headlines
    # and paragraphs included (as LLMs may): the lengths no longer follow each other, but the
    # anchors drift off the diagonal, which tells the veto it cannot read them. With the veto
    # applied at any logit:
    en = fingerprint(Document(text_of("ferry_en", "audit_en"), "en"))
    joined = fingerprint(
        Document(every_two_sentences_joined(text_of("ferry_ru", "audit_ru")), "ru")
    )
    assert en is not None and joined is not None
    assert explain(en, joined)["rhythm"] < RHYTHM_VETO_BELOW
    veto = replace(VERIFIER, rhythm_veto_logit=float("inf"))
    assert verify(en, joined, veto) is not None
    # Joined two by two, the aligned sentences span about twice as many on one side: within
    # the extent a restructured translation keeps; not within a tighter one.
    assert verify(en, joined, replace(veto, restructured_max_stretch=1.5)) is None
    assert verify(en, joined, replace(veto, rhythm_veto_min_diagonal=0.0)) is None


@pytest.mark.parametrize("m", [5, 17, 60])
def test_shuffled_orders_are_the_generators_shuffles_of_the_lengths(m: int) -> None:
    # The orders are computed once per length: they must be what shuffling the lengths
    # themselves with the seeded generator gives, whatever the lengths.
    units = np.random.default_rng(m).integers(1, 50, size=m).astype(np.float64)
    rng = np.random.default_rng(RHYTHM.shuffle_seed)
    shuffled = rng.permuted(np.tile(units, (RHYTHM.shuffles, 1)), axis=1)
    orders = units[_orders(m, RHYTHM.shuffles, RHYTHM.shuffle_seed)]
    assert orders[0].tolist() == units.tolist()
    assert orders[1:].tolist() == shuffled.tolist()
