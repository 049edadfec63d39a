from __future__ import annotations

from dedup.document import Document
from dedup.segment import paragraphs, sentences


def test_paragraphs_split_on_blank_lines() -> None:
    assert paragraphs("One.\n\n\nTwo.\n  \nThree.") == ["One.", "Two.", "Three."]


def test_sentences_split_on_punctuation_lines_and_paragraphs() -> None:
    text = "Title line\n\nFirst one. Second one! Third?\nFourth on its own line."
    assert sentences(text) == [
        "Title line",
        "First one.",
        "Second one!",
        "Third?",
        "Fourth on its own line.",
    ]


def test_ordinals_initials_and_abbreviations_do_not_end_sentences() -> None:
    assert sentences("Am 3. März kam J. Smith an, z.B. mit dem Zug.") == [
        "Am 3. März kam J. Smith an, z.B. mit dem Zug."
    ]


def test_sentences_end_before_quotes_of_every_language() -> None:
    # A page runs a paragraph's sentences together: German and Icelandic open quotes with „
    # and close them with “, French and German use guillemets both ways round.
    text = (
        "Það eru konur,“ sagði Helga. „Konur á Íslandi eru frægar. "
        "Er sagte: »Ja.« Dann ging er. Il a dit « non ». Puis il est parti."
    )
    assert sentences(text) == [
        "Það eru konur,“ sagði Helga.",
        "„Konur á Íslandi eru frægar.",
        "Er sagte: »Ja.«",
        "Dann ging er.",
        "Il a dit « non ».",
        "Puis il est parti.",
    ]


def test_bullets_and_non_letters_start_sentences() -> None:
    text = "Frequent questions: 👉Is my licence valid? • It is until 2025. • 15 days are needed."
    assert sentences(text) == [
        "Frequent questions:",
        "👉Is my licence valid?",
        "• It is until 2025.",
        "• 15 days are needed.",
    ]


def test_cjk_sentences_end_without_spaces() -> None:
    assert sentences("東京に行った。雨だった！本当？") == ["東京に行った。", "雨だった！", "本当？"]


def test_danda_and_arabic_script_stops_end_sentences() -> None:
    assert sentences("मार्ग बंद था। उसने स्वागत किया।") == ["मार्ग बंद था।", "उसने स्वागत किया।"]
    assert sentences("یہ پہلا جملہ ہے۔ کیا یہ دوسرا ہے؟ ہاں") == [
        "یہ پہلا جملہ ہے۔",
        "کیا یہ دوسرا ہے؟",
        "ہاں",
    ]


def test_deterministic() -> None:
    doc = Document("A. B. C.\n\nD e f. G h i.")
    assert sentences(doc.text) == sentences(doc.text)
