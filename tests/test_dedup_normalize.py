"""Normalization that must make a number or a name written in another language compare equal."""

from __future__ import annotations

import pytest

from dedup.normalize import TOKEN, normalize_text, number_keys, skeleton, translit


def numbers(text: str) -> list[str]:
    out = []
    for m in TOKEN.finditer(normalize_text(text)):
        if m.lastgroup == "num":
            out.extend(number_keys(m.group()))
    return out


@pytest.mark.parametrize(
    "text",
    ["1,000", "1 000", "1\u202f000", "1.000", "1000", "1’000", "１０００"],
)
def test_thousands_formats_agree(text: str) -> None:
    assert numbers(text) == ["1"]


def test_decimal_comma_and_point_agree_and_scale_words_do_not_matter() -> None:
    # 1.5 million, 1,5 Millionen and 150万 all keep the significant digits 15.
    assert numbers("1.5 million") == numbers("1,5 Millionen") == numbers("150万") == ["15"]


def test_digits_of_other_scripts_fold_to_ascii() -> None:
    assert numbers("٢٠٢١") == ["2021"]  # Arabic-Indic
    assert numbers("२०२१") == ["2021"]  # Devanagari
    assert numbers("২০২১") == ["2021"]  # Bengali


def test_dates_split_into_parts_like_spelled_out_dates() -> None:
    assert numbers("05.03.2021") == ["5", "3", "2021"]
    assert set(numbers("March 5, 2021")) == {"5", "2021"}


def test_space_grouping_needs_three_digit_groups() -> None:
    assert numbers("17 000 Hektar") == ["17"]
    assert numbers("in 2020 150 people") == ["202", "15"]


def test_transliteration_of_other_scripts() -> None:
    assert translit("Хабаровска") == "khabarovska"
    assert translit("Ísland") == "island"
    assert translit("Ελλάδα") == "ellada"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vladivostok", "Wladiwostok"),
        ("Khabarovsk", "Хабаровск"),
        ("Khabarovsk", "Chabarowsk"),
        ("Kozhemyako", "Koschemjako"),
        ("Zelensky", "Selenskyj"),
        ("Pankratov", "パンクラトフ"),
        ("Sakhalin", "サハリン"),
        ("Hamburg", "Гамбург"),
        ("Holocaust", "Голокост"),
        ("Hollywood", "Голливуд"),
        ("Gandhi", "गांधी"),
        ("Punjab", "पंजाब"),
        ("Chandra", "चंद्र"),
        ("Mumbai", "मुंबई"),
        ("Trump", "トランプ"),
    ],
)
def test_spelling_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(translit(a)) == skeleton(translit(b))


def test_distinct_names_keep_distinct_skeletons() -> None:
    assert skeleton(translit("Vladivostok")) != skeleton(translit("Khabarovsk"))
    assert skeleton(translit("Berlin")) != skeleton(translit("Moscow"))


def test_katakana_middle_dot_separates_name_parts() -> None:
    words = [m.group() for m in TOKEN.finditer("イーゴリ・パンクラトフ") if m.lastgroup == "kata"]
    assert words == ["イーゴリ", "パンクラトフ"]


def test_arabic_script_number_separators() -> None:
    assert numbers("۴۸٫۵ میلیون") == numbers("48.5 million") == ["485"]  # Persian, U+066B
    assert numbers("۱٬۲۰۰ مسافر") == numbers("1,200 passengers") == ["12"]  # U+066C


def words(text: str) -> list[str]:
    return [m.group() for m in TOKEN.finditer(normalize_text(text)) if m.lastgroup == "word"]


def test_joiners_and_hebrew_geresh_stay_inside_a_word() -> None:
    assert words("ولادی\u200cوستوک") == ["ولادی\u200cوستوک"]  # Persian: Vladivostok, ZWNJ
    assert words("המושל קוז'מיאקו בירך") == ["המושל", "קוז'מיאקו", "בירך"]  # Kozhemyako
    assert words("צה״ל") == ["צה״ל"]  # an acronym with gershayim
    assert words("it's 'quoted'") == ["it", "s", "quoted"]  # only between Hebrew letters
    assert words("a \u200d b") == ["a", "b"]  # a joiner alone is no word


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Korsakov", "קורסקוב"),  # Hebrew vav as o, doubled for v (וו)
        ("Vladivostok", "ולדיווסטוק"),
        ("Korsakov", "كورساكوف"),  # Arabic waw as o
        ("Oleg", "أوليغ"),
        ("Vladivostok", "ولادی\u200cوستوک"),  # Persian
        ("Putin", "بوتين"),  # Arabic writes p as b
        ("Putin", "פוטין"),  # Hebrew ב and פ are b and p at the start of a word
        ("Borealis", "בוריאליס"),
    ],
)
def test_abjad_vowel_letters(a: str, b: str) -> None:
    assert skeleton(translit(a)) == skeleton(translit(b))
