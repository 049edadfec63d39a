from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FERRY_TRANSLATIONS

from dedup.anchors import PREFIX, extract_anchors
from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint, fingerprint
from dedup.kinds import is_clitic, is_loanword, is_match_only
from dedup.minhash import ANCHOR_PERM, hash64, signature
from dedup.normalize import skeleton, translit
from dedup.segment import sentences

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def fp_of(name: str) -> Fingerprint:
    fp = fingerprint(Document(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"), name[-2:]))
    assert fp is not None
    return fp


def test_too_little_text_gives_none() -> None:
    assert fingerprint(Document("Share this. Read more.")) is None
    assert fingerprint(Document("")) is None


def test_roundtrip_is_exact_and_deterministic() -> None:
    fp = fp_of("ferry_en")
    data = fp.to_bytes()
    again = Fingerprint.from_bytes(data)
    assert again.to_bytes() == data
    assert fp_of("ferry_en").to_bytes() == data
    assert again.lang == "en"
    assert again.keys == fp.keys


ARRAYS = ("sentence_hashes", "sentence_units", "weights", "occ_offsets", "occ", "shingles")
SIGNATURES = ("sig_lexical", "sig_anchor", "sig_number")


def same_fingerprint(a: Fingerprint, b: Fingerprint) -> bool:
    scalars = ("lang", "n_units", "title_sentences", "name_odds", "keys", "labels")
    return all(getattr(a, f) == getattr(b, f) for f in scalars) and all(
        getattr(a, f).dtype == getattr(b, f).dtype and np.array_equal(getattr(a, f), getattr(b, f))
        for f in ARRAYS + SIGNATURES
    )


@pytest.mark.parametrize("name", ["ferry_en", "ferry_de", "audit_ru", "bread_en"])
def test_every_field_and_signature_reads_back(name: str) -> None:
    fp = fp_of(name)
    assert same_fingerprint(Fingerprint.from_bytes(fp.to_bytes()), fp)


def test_format_1_is_still_read_and_holds_the_same_fingerprint() -> None:
    # Written by the code before format 2 (2026-12-06), signatures inside.
    older = FIXTURES.joinpath("ferry_de.format1.fp").read_bytes()
    fp = fp_of("ferry_de")
    read = Fingerprint.from_bytes(older)
    assert same_fingerprint(read, fp)
    # The signatures are stored once, in the fingerprints table's own column: format 2 leaves
    # them out, and the repeated text of keys and labels, for less than half the bytes.
    assert len(fp.to_bytes()) < len(older) / 2
    with pytest.raises(ValueError, match="format 1"):
        read.to_bytes()


def test_version_is_checked() -> None:
    data = bytearray(fp_of("ferry_en").to_bytes())
    data[4] = (FINGERPRINT_VERSION + 1) & 0xFF
    with pytest.raises(ValueError, match="version"):
        Fingerprint.from_bytes(bytes(data))


@pytest.mark.parametrize("garbage", [b"", b"SDFP", b"hello world", b"SDFP\x01\x00garbage"])
def test_garbage_raises_value_error(garbage: bytes) -> None:
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(garbage)


def test_truncated_data_raises_value_error() -> None:
    data = fp_of("ferry_en").to_bytes()
    with pytest.raises(ValueError):
        Fingerprint.from_bytes(data[:-10])


def test_anchors_are_names_and_numbers_not_common_words() -> None:
    labels = set(fp_of("ferry_en").labels)
    assert {"Vladivostok", "pankratov", "Sakhalin", "2019", "1,200"} <= labels
    assert not labels & {"the", "line", "company", "approved", "first", "week"}


def test_language_is_detected_when_unknown() -> None:
    text = FIXTURES.joinpath("ferry_ru.txt").read_text("utf-8")
    fp = fingerprint(Document(text))
    assert fp is not None and fp.lang == "ru"


def names_and_numbers(fp: Fingerprint) -> set[str]:
    return {k for k in fp.keys if not is_loanword(k)}


@pytest.mark.parametrize("name", FERRY_TRANSLATIONS)
def test_anchor_keys_agree_across_translations(name: str) -> None:
    en, other = names_and_numbers(fp_of("ferry_en")), names_and_numbers(fp_of(name))
    # Two thirds of the poorer side's anchors find their counterpart (Arabic, Hebrew and
    # Persian found about half before their vowel letters and number separators were read).
    assert len(en & other) >= 0.65 * min(len(en), len(other))


def test_language_tags_are_reduced_to_the_language() -> None:
    text = FIXTURES.joinpath("ferry_en.txt").read_text("utf-8")
    fp = fingerprint(Document(text, "EN_us"))
    assert fp is not None and fp.lang == "en"
    assert fp.keys == fp_of("ferry_en").keys


def test_name_odds_discount_noun_capitalizing_text() -> None:
    # German capitalizes common nouns: fewer of its capitalized words are names that survive
    # translation. The value survives serialization.
    de, en = fp_of("ferry_de"), fp_of("ferry_en")
    assert 0.0 < de.name_odds < en.name_odds <= 1.0
    assert Fingerprint.from_bytes(de.to_bytes()).name_odds == de.name_odds


def test_katakana_text_expects_fewer_surviving_names() -> None:
    assert fp_of("ferry_ja").name_odds < 1.0


def test_loanword_anchors_stay_out_of_the_anchor_signature() -> None:
    # Two Latin-script translations share few of their lowercase words: signing them would
    # dilute the anchor sets the candidate search compares. Names and numbers alone: too few.
    text = "The serum mixes marine collagen, jojoba oil and hyaluronic acid for dry skin. " * 3
    fp = fingerprint(Document(text, "en"))
    assert fp is not None and any(is_loanword(k) for k in fp.keys)
    assert fp.sig_anchor.size == 0


def signed(keys: list[str]) -> np.ndarray:
    hashes = np.array([hash64(k) & 0xFFFFFFFF for k in keys], dtype=np.uint32)
    return signature(hashes, ANCHOR_PERM)


def test_common_nouns_of_a_noun_capitalizing_text_stay_out_of_the_anchor_signature() -> None:
    # A German translation capitalizes five times the words of its original: signed, its
    # common nouns would dilute the anchor set the candidate search compares.
    de = fp_of("ferry_de")
    text = FIXTURES.joinpath("ferry_de.txt").read_text("utf-8")
    local = {
        a.label: a.key for s in sentences(text) for a in extract_anchors(s, "de").anchors if a.local
    }
    assert {"dienstag", "insel", "passagiere", "stunden"} <= set(local)
    # German spellings of places are rare in English too, but not common words in German.
    assert not {"wladiwostok", "sachalin", "korsakow", "pankratow"} & set(local)
    names = [k for k in de.keys if not is_loanword(k) and k not in local.values()]
    assert (de.sig_anchor == signed(names)).all()
    # A text that capitalizes only names signs all of them.
    en = fp_of("ferry_en")
    assert (en.sig_anchor == signed([k for k in en.keys if not is_loanword(k)])).all()


def test_common_words_of_a_caseless_script_stay_out_of_the_anchor_signature() -> None:
    # Hindi: every word of the word list below NAME_MAX_ZIPF is an anchor for the verifier;
    # signed, the commoner ones would flood the set the candidate search compares.
    hi = fp_of("ferry_hi")
    text = FIXTURES.joinpath("ferry_hi.txt").read_text("utf-8")
    found = [a for s in sentences(text) for a in extract_anchors(s, "hi").anchors]
    common = {a.key for a in found if a.common}
    assert common and {a.key for a in found} - common
    names = [k for k in hi.keys if not is_loanword(k) and k not in common]
    assert (hi.sig_anchor == signed(names)).all()


def test_a_name_with_a_prefix_is_the_name_the_text_writes_elsewhere() -> None:
    # ולדיווסטוק (Vladivostok) in one sentence, בוולדיווסטוק (in V.) in the title and
    # ומוולדיווסטוק (and from V.) in the last: one key in all three.
    he = fp_of("ferry_he")
    vladivostok = he.keys.index(skeleton(translit("Vladivostok"))[:PREFIX])
    assert [i for i in range(he.n_sentences) if vladivostok in he.sentence_anchor_ids(i)] == [
        0,
        1,
        6,
    ]
    # Prefixed words whose bare form the text never writes keep that form marked: matched
    # only against the other text's names, never signed.
    assert any(is_clitic(k) for k in he.keys)
    text = FIXTURES.joinpath("ferry_he.txt").read_text("utf-8")
    found = [a for s in sentences(text) for a in extract_anchors(s, "he").anchors]
    common = {x.key for a in found for x in (a, *a.bare) if x.common}
    names = [k for k in he.keys if not is_match_only(k) and k not in common]
    assert (he.sig_anchor == signed(names)).all()


def test_a_text_written_in_lowercase_keeps_its_names() -> None:
    text = FIXTURES.joinpath("ferry_en.txt").read_text("utf-8")
    cased, lowered = fp_of("ferry_en"), fingerprint(Document(text.lower(), "en"))
    assert lowered is not None
    names = {skeleton(translit(n))[:PREFIX] for n in ("Vladivostok", "Pankratov", "Kozhemyako")}
    assert names <= set(cased.keys) and names <= set(lowered.keys)


def number_signature_of(text: str) -> bool:
    fp = fingerprint(Document(text, "en"))
    assert fp is not None
    return fp.sig_number.size > 0


def test_numbers_signature_needs_two_numbers_of_two_digits() -> None:
    words = "The harbour of Tarvel stayed quiet while the ferries waited for the wind "
    assert number_signature_of(words + "in 2019 and 2021.")
    # A few small numbers are in every article: single digits are not signed.
    assert not number_signature_of(words + "with 1, 2, 3 and 4 boats.")
    # Months are no numbers there: a date would make any two dated articles alike.
    assert not number_signature_of(words + "in 2019, from March to April.")
    assert not number_signature_of(words + "from 5 March to 7 April.")
