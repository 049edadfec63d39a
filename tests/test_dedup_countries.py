from __future__ import annotations

from dedup.anchors import extract_anchors
from dedup.countries import country_names


def countries(sentence: str, lang: str) -> list[tuple[str, str]]:
    """(English name, key) of the countries a sentence names."""
    english = set(country_names("en").names.values())
    return [(a.label, a.key) for a in extract_anchors(sentence, lang).anchors if a.label in english]


def test_a_country_renamed_by_a_translation_keeps_its_key() -> None:
    english = countries("The talks between Germany and Iceland ended.", "en")
    assert [name for name, _ in english] == ["Germany", "Iceland"]
    assert (
        countries("Les pourparlers entre l'Allemagne et l'Islande ont pris fin.", "fr") == english
    )
    assert countries("Die Gespräche zwischen Deutschland und Island endeten.", "de") == english
    assert countries("Viðræðum Þýskalands og Íslands lauk.", "is") == english
    assert countries("ドイツとアイスランドの協議が終わった。", "ja") == english
    assert countries("德国和冰岛的会谈结束了。", "zh") == english


def test_names_of_several_words_and_inflected_forms() -> None:
    english = countries("The United States and the United Kingdom signed.", "en")
    assert [name for name, _ in english] == ["United States", "United Kingdom"]
    assert countries("Les États-Unis et le Royaume-Uni ont signé.", "fr") == english
    # Russian case endings: Соединённых Штатов is no table form, but Германии is.
    assert [n for n, _ in countries("Посол Германии приехал в Японию.", "ru")] == [
        "Germany",
        "Japan",
    ]
    assert [n for n, _ in countries("Uloga Njemačke u Ukrajini raste.", "hr")] == [
        "Germany",
        "Ukraine",
    ]


def test_a_country_keys_like_the_english_name_and_its_adjective() -> None:
    [(_, key)] = countries("Deutschland exportiert mehr.", "de")
    german = [a.key for a in extract_anchors("The German exports grew.", "en").anchors]
    assert key in german
    # Too short a skeleton to key by sound: keyed by the whole English name, in every language.
    assert countries("Россия и Китай", "ru") == countries("Russia and China", "en")
    assert [k[0] for _, k in countries("Russia and China", "en")] == ["@", "@"]


def test_words_are_countries_only_in_their_language_and_capitalized() -> None:
    # "Island" is Iceland in German, an island in English; "china" is porcelain in lowercase.
    assert countries("He sailed to the Island of Man.", "en") == []
    assert countries("Er reiste nach Island.", "de") == [
        ("Iceland", countries("Iceland", "en")[0][1])
    ]
    assert countries("The plates were made of fine china.", "en") == []


def test_a_country_is_one_anchor_not_also_a_chinese_name_read_by_sound() -> None:
    # 乌克兰 is written with the characters of names read by sound (wukelan): it is Ukraine.
    found = extract_anchors("乌克兰的特朗普。", "zh").anchors
    assert [a.label for a in found] == ["Ukraine", "telanpu"]


def test_languages_without_cldr_names_have_no_table() -> None:
    assert country_names(None) is None
    assert country_names("xx") is None
    assert country_names("en").names["united states"] == "United States"
