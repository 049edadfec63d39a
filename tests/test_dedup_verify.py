"""The verifier on project-written articles: a news story with translations into 32 languages of
fourteen scripts (Latin, Cyrillic, Greek, Armenian, Arabic, Hebrew, Ethiopic, Devanagari, Bengali,
Tamil, Thai, Myanmar, Hangul, Chinese and Japanese), and same-topic distractors (same people and
places, a different story)."""

from __future__ import annotations

import re
import unicodedata
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import FERRY_TRANSLATIONS

from dedup.document import Document
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.kinds import is_loanword, is_number, loanword_key
from dedup.segment import paragraphs, sentences
from dedup.verify import FEATURES, VERIFIER, explain, verify
from dedup.verify.alignment import align
from dedup.verify.decision import alignment_bounds, logit_bound, translation_logit
from dedup.verify.keys import key_tables, matching_keys, shared_anchors

TRANSLATION_MIN_LOGIT = VERIFIER.translation_min_logit

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
FERRY = ("ferry_en", *FERRY_TRANSLATIONS)
AUDIT = ("audit_en", "audit_ru")
BOILERPLATE = (
    "Related posts\n\nHow to choose a travel insurance in five minutes\n\n"
    "Leave a comment\n\nYour email address will not be published. Required fields are marked *"
    "\n\nSource link"
)


def text_of(name: str) -> str:
    return FIXTURES.joinpath(f"{name}.txt").read_text("utf-8")


def fp_text(text: str, lang: str) -> Fingerprint:
    fp = fingerprint(Document(text, lang))
    assert fp is not None
    return fp


def fp_of(name: str) -> Fingerprint:
    return fp_text(text_of(name), name[-2:])


@pytest.mark.parametrize(("a", "b"), list(combinations(FERRY, 2)) + [AUDIT])
def test_translations_match(a: str, b: str) -> None:
    verdict = verify(fp_of(a), fp_of(b))
    assert verdict is not None
    assert verdict.kind == "translation"
    assert 0.0 < verdict.score <= 1.0
    # Seven sentences each, translated one to one: the alignment finds most of them in order.
    assert len(verdict.aligned) >= 5
    assert list(verdict.aligned) == sorted(verdict.aligned)


@pytest.mark.parametrize(("a", "b"), [(f, d) for f in FERRY for d in AUDIT])
def test_same_topic_distractors_do_not_match(a: str, b: str) -> None:
    assert verify(fp_of(a), fp_of(b)) is None


def test_symmetric_score() -> None:
    en, ru = fp_of("ferry_en"), fp_of("ferry_ru")
    ab, ba = verify(en, ru), verify(ru, en)
    assert ab is not None and ba is not None
    assert ab.score == ba.score
    assert {(j, i) for i, j in ab.aligned} == set(ba.aligned)


def test_aligned_indices_refer_to_sentences() -> None:
    en, ru = text_of("ferry_en"), text_of("ferry_ru")
    verdict = verify(fp_text(en, "en"), fp_text(ru, "ru"))
    assert verdict is not None
    se, sr = sentences(en), sentences(ru)
    for i, j in verdict.aligned:
        assert i < len(se) and j < len(sr)
    assert (0, 0) in verdict.aligned  # the headlines
    assert "pankratov" in verdict.anchors


@pytest.mark.parametrize("name", FERRY[1:])
def test_partial_translation_matches(name: str) -> None:
    # A content farm keeps the first paragraphs: headline and two of three body paragraphs.
    partial = "\n\n".join(paragraphs(text_of(name))[:3])
    verdict = verify(fp_of("ferry_en"), fp_text(partial, name[-2:]))
    assert verdict is not None and verdict.kind == "translation"


def without_numbers(text: str) -> str:
    digits = "".join("0" if unicodedata.category(c) == "Nd" else c for c in text)
    return re.sub(r"0[0\s.,]*0|0", "", digits)


# Thai writes no spaces between words, and Amharic and Burmese are caseless scripts without a
# word list (nothing tells their names from other words), so only their numbers are anchors;
# Tamil writes t and d, and k and g, with one letter each, which the skeleton keeps apart
# (docs/quality.md).
NAMES_CARRY = [
    name for name in FERRY[1:] if name not in ("ferry_th", "ferry_ta", "ferry_am", "ferry_my")
]


@pytest.mark.parametrize("name", NAMES_CARRY)
def test_names_alone_carry_a_translation(name: str) -> None:
    # Numbers decide most news pairs; without them, the names of the story, transliterated from
    # the other scripts, must still line up with the English ones.
    en = fp_text(without_numbers(text_of("ferry_en")), "en")
    other = fp_text(without_numbers(text_of(name)), name[-2:])
    verdict = verify(en, other)
    assert verdict is not None and verdict.kind == "translation"
    assert "pankratov" in verdict.anchors


def test_a_name_written_only_with_a_prefix_still_matches() -> None:
    # وكورساكوف: "and Korsakov", the only time the Arabic text names him.
    assert "korsakov" in verify(fp_of("ferry_en"), fp_of("ferry_ar")).anchors


def test_verbatim_copy_with_boilerplate() -> None:
    copy = text_of("ferry_en") + "\n\n" + BOILERPLATE
    verdict = verify(fp_of("ferry_en"), fp_text(copy, "en"))
    assert verdict is not None
    assert verdict.kind == "verbatim"
    assert verdict.score > 0.9
    assert (0, 0) in verdict.aligned


def test_partial_verbatim_copy() -> None:
    copy = "\n\n".join(paragraphs(text_of("ferry_en"))[:2]) + "\n\n" + BOILERPLATE
    verdict = verify(fp_of("ferry_en"), fp_text(copy, "en"))
    assert verdict is not None and verdict.kind == "verbatim"


def test_shared_boilerplate_alone_is_not_a_copy() -> None:
    a = text_of("ferry_en") + "\n\n" + BOILERPLATE
    b = text_of("audit_en") + "\n\n" + BOILERPLATE
    assert verify(fp_text(a, "en"), fp_text(b, "en")) is None


def test_unrelated_articles_do_not_match() -> None:
    other = (
        "A bakery in Lyon has won the national croissant contest for the third year.\n\n"
        "The jury tasted 212 entries from across the country and praised the butter, the "
        "crunch and the honeycomb of the winning pastry, baked by Camille Fournier and her "
        "brother Antoine. The prize comes with a trip to Kyoto and a year of flour supplies. "
        "Fournier said she would use the money to train two apprentices and open a second "
        "shop near the Croix-Rousse market before the end of 2025, if the landlord agrees. "
        "Customers queued for more than an hour on Sunday to taste the famous croissant."
    )
    assert verify(fp_of("ferry_en"), fp_text(other, "en")) is None


def split_title(text: str) -> tuple[str, str]:
    title, _, body = text.partition("\n\n")
    return title, body


def test_title_given_apart_counts_and_indices_stay_in_the_text() -> None:
    # Pages give the headline as a title, apart from the body: it still takes part in the match,
    # but aligned indices refer to the sentences of the text only.
    en_title, en_body = split_title(text_of("ferry_en"))
    ru_title, ru_body = split_title(text_of("ferry_ru"))
    a = fingerprint(Document(en_body, "en", en_title))
    b = fingerprint(Document(ru_body, "ru", ru_title))
    assert a is not None and b is not None
    verdict = verify(a, b)
    assert verdict is not None
    n_en, n_ru = len(sentences(en_body)), len(sentences(ru_body))
    assert verdict.aligned and all(0 <= i < n_en and 0 <= j < n_ru for i, j in verdict.aligned)
    assert (0, 0) in verdict.aligned  # the first body sentences, not the titles


def test_title_repeated_in_text_is_not_counted_twice() -> None:
    text = text_of("ferry_en")
    title, _ = split_title(text)
    with_title = fingerprint(Document(text, "en", title))
    without = fingerprint(Document(text, "en"))
    assert with_title is not None and without is not None
    assert with_title.n_sentences == without.n_sentences


def test_short_text_found_whole_in_a_copy_is_verbatim() -> None:
    short = "The ferry to Sakhalin leaves Vladivostok twice a week from 15 May, the port said."
    copy = BOILERPLATE + "\n\n" + short + "\n\nLeave a comment"
    verdict = verify(fp_text(short, "en"), fp_text(copy, "en"))
    assert verdict is not None and verdict.kind == "verbatim"


SHORT_POST = (
    "Can you send me the right email address?\n\n"
    "I want to invite you to the pottery class you signed up for.\n\n"
    "It starts on Tuesday evening."
)


def interleaved(lines: list[str], between: str) -> str:
    return ("\n\n" + between + "\n\n").join(lines)


def test_short_text_whose_sentences_stand_apart_in_a_copy_is_verbatim() -> None:
    # A scraper puts share buttons between the lines: the shingles across them are lost, and
    # a text of three lines keeps too few of them; its sentences are all there.
    original = fp_text(SHORT_POST, "en")
    copy = fp_text(interleaved(SHORT_POST.split("\n\n"), "Share this: Facebook Twitter"), "en")
    shared = np.intersect1d(original.shingles, copy.shingles).size
    # The shingle rule alone misses it.
    assert shared < VERIFIER.verbatim_short_containment * original.shingles.size
    verdict = verify(original, copy)
    assert verdict is not None and verdict.kind == "verbatim" and verdict.score == 1.0
    reverse = verify(copy, original)
    assert reverse is not None and reverse.score == 1.0


def test_one_shared_sentence_is_no_verbatim_copy() -> None:
    # Two posts that quote one sentence, or share one line of a template, are not copies.
    first, *_ = SHORT_POST.split("\n\n")
    other = first + "\n\nThe shop on the corner sells blue bowls and green cups for cheap."
    assert verify(fp_text(SHORT_POST, "en"), fp_text(other, "en")) is None


def test_explain_reports_the_model_inputs() -> None:
    facts = explain(fp_of("ferry_en"), fp_of("ferry_ru"))
    assert set(FEATURES) <= set(facts)
    assert facts["logit"] >= TRANSLATION_MIN_LOGIT
    assert facts["number_share"] == 1.0  # every number of the story survives the translation


def test_merged_sentences_align_two_to_one() -> None:
    # A translator (an LLM above all) may join sentences: every body sentence of the German
    # version is merged with the next one, and the alignment still pairs both English ones.
    paragraphs_de = paragraphs(text_of("ferry_de"))
    merged = [paragraphs_de[0]] + [p.replace(". ", ", und ", 1) for p in paragraphs_de[1:]]
    copy = "\n\n".join(merged)
    assert len(sentences(copy)) < len(sentences(text_of("ferry_de")))
    verdict = verify(fp_of("ferry_en"), fp_text(copy, "de"))
    assert verdict is not None and verdict.kind == "translation"
    copies_of = {}
    for i, j in verdict.aligned:
        copies_of.setdefault(j, []).append(i)
    assert any(len(group) == 2 for group in copies_of.values())


@pytest.mark.parametrize(("a", "b"), list(combinations(FERRY + AUDIT, 2)))
def test_bounds_hold_for_the_alignment(a: str, b: str) -> None:
    # The shortcuts that skip most candidates (their weight) and the second look's (their
    # logit) must never skip one the alignment would keep.
    fa, fb = fp_of(a), fp_of(b)
    shared = shared_anchors(fa, fb, VERIFIER)
    alignment = align(fa, fb, VERIFIER)
    if alignment is None:
        # Nothing to bound: the Amharic story and the audit have no anchor in common.
        assert shared[0].size == 0
        return
    bounds = alignment_bounds(fa, fb, shared)
    assert bounds.undated >= alignment.floor_weight - 1e-9
    assert bounds.weight >= alignment.weight - 1e-9
    assert bounds.sentences >= len({i for i, _ in alignment.path})
    assert bounds.sentences >= len({j for _, j in alignment.path})
    numeric = np.array([is_number(fa.keys[int(k)]) for k in alignment.shared_ids], dtype=bool)
    assert bounds.numbers >= float(alignment.shared_weights[numeric].sum()) - 1e-9
    best = logit_bound(fa, fb, bounds, VERIFIER)
    assert best >= translation_logit(fa, fb, alignment, VERIFIER) - 1e-9


def test_short_skeleton_matches_the_longer_one_it_begins() -> None:
    # "atl" (Italie) meets "atln" (Italien); numbers and acronyms only match exactly.
    ia, ib = matching_keys(
        key_tables(("atl", "#12", "=eu")), key_tables(("#12", "atln", "=eur", "#123")), VERIFIER
    )
    assert sorted(zip(ia, ib, strict=True)) == [(0, 1), (1, 0)]


def test_same_language_pairs_ignore_common_shared_names() -> None:
    a, b = fp_of("ferry_en"), fp_of("audit_en")
    ida, _, w = shared_anchors(a, b, VERIFIER)
    names = [not is_number(a.keys[int(i)]) for i in ida]
    least = VERIFIER.same_language_min_name_weight
    assert all(wt >= least for wt, n in zip(w, names, strict=True) if n)


def test_loanwords_match_only_between_japanese_and_another_language() -> None:
    en = fp_text("The new serum mixes marine collagen with jojoba oil for dry skin.", "en")
    fr = fp_text("Le nouveau sérum mélange du collagène marin et de l'huile de jojoba.", "fr")
    ja = fp_text("新しいセラムはコラーゲンとホホバオイルを混ぜて乾燥肌に使います。", "ja")
    ida, idb, w = shared_anchors(en, ja, VERIFIER)
    shared = {en.keys[int(i)] for i in ida}
    assert loanword_key(ja.keys[ja.labels.index("koragen")]) in shared
    assert all(wt <= 1.0 for wt in w)
    # Two Latin-script texts share lowercase words by topic as much as by translation.
    ida, _, _ = shared_anchors(en, fr, VERIFIER)
    assert not any(is_loanword(en.keys[int(i)]) for i in ida)


def test_months_count_in_the_alignment_but_not_towards_its_floors() -> None:
    from dedup.anchors import ANCHORS

    # Two stories in two languages sharing one rare surname and dates: the months are aligned,
    # but the floors judge the name and the days alone, and a pair of sentences that shares
    # only a month ("5 March" / "9 mars") is no aligned sentence for them.
    en = fp_text(
        "Talvardine opened the bridge on 12 October. The weather was mild and the crowd "
        "cheerful. The fair closed on 5 March. Talvardine thanked the builders on 12 October.",
        "en",
    )
    fr = fp_text(
        "Talvardine a parlé du budget le 12 octobre. Les écoles restent fermées cette semaine. "
        "La foire a fermé le 9 mars. Talvardine a rencontré les syndicats le 12 octobre.",
        "fr",
    )
    alignment = align(en, fr, VERIFIER)
    assert alignment is not None
    assert len(alignment.path) == 3
    assert alignment.floor_sentences == 2
    assert alignment.floor_weight == pytest.approx(alignment.weight - 3 * ANCHORS.month_weight)


GERMAN_NOUNS = (
    "Die Qualität der Produkte aus der Fabrik in Tarvel ist nach der Reform gestiegen. "
    "Die Regierung will die Produktion im Sommer erhöhen, sagte der Direktor der Firma. "
    "Die Arbeiter bekommen mehr Lohn, und die Kunden zahlen für die Ware weniger Geld. "
    "Die Qualität des Materials ist der Grund für den Erfolg, meint die Zeitung der Stadt."
)
FRENCH_COGNATES = (
    "La qualité des produits de l'usine de Tarvel a augmenté après la réforme. "
    "Le gouvernement veut augmenter la production cet été, a dit le directeur de la société."
)


def test_lowercase_words_meet_the_nouns_of_a_noun_capitalizing_language() -> None:
    de, fr = fp_text(GERMAN_NOUNS, "de"), fp_text(FRENCH_COGNATES, "fr")
    assert de.name_odds < 1.0 <= fr.name_odds  # German capitalizes its nouns
    ida, idb, _ = shared_anchors(fr, de, VERIFIER)
    shared = {fr.keys[int(i)] for i in ida}
    assert any(is_loanword(k) for k in shared)  # qualité / Qualität, production / Produktion
    # Two languages that capitalize only names: lowercase words are no evidence between them.
    en = fp_text(
        "The quality of the products from the factory in Tarvel rose after the reform. "
        "The government wants to raise production this summer, the director said.",
        "en",
    )
    ida, _, _ = shared_anchors(fr, en, VERIFIER)
    assert not any(is_loanword(fr.keys[int(i)]) for i in ida)


def test_one_name_repeated_is_a_topic_not_a_translation() -> None:
    # Two reviews of one musician's records, in two languages: his name in two sentences of
    # each weighs as much as a name and two numbers, in order, but it is the only anchor they
    # share.
    en = (
        "Not a Pankratov concert film at all. I bought this DVD and I am sending it back today. "
        "The description and the editorial review are misleading about what is inside. "
        "There are a few clips of Pankratov, but mostly it is a lesson on how to hold a guitar."
    )
    hr = (
        "Vrlo razočaravajuće izdanje. Ovo je reklamirano kao lekcija nota za notom o odabranim "
        "Pankratovljevim melodijama, a nije bilo ni blizu. Nije bilo tablature koja bi pratila "
        "male i ponekad netočne dijelove pjesama. Poslao sam pritužbu izravno izdavaču "
        "Pankratova, ali nikad nisam dobio odgovor."
    )
    facts = explain(fp_text(en, "en"), fp_text(hr, "hr"))
    assert facts["floor_sentences"] >= 2 and facts["logit"] >= TRANSLATION_MIN_LOGIT
    assert verify(fp_text(en, "en"), fp_text(hr, "hr")) is None
