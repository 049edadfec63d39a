from __future__ import annotations

from dedup.anchors import extract_anchors
from dedup.places import place_names


def places_named(sentence: str, lang: str) -> list[tuple[str, str]]:
    """(English name, key) of the places a sentence names."""
    english = {place.english for place in place_names("en").names.values()}
    return [(a.label, a.key) for a in extract_anchors(sentence, lang).anchors if a.label in english]


def test_a_country_renamed_by_a_translation_keeps_its_key() -> None:
    english = places_named("The talks between Germany and Iceland ended.", "en")
    assert [name for name, _ in english] == ["Germany", "Iceland"]
    assert (
        places_named("Les pourparlers entre l'Allemagne et l'Islande ont pris fin.", "fr")
        == english
    )
    assert places_named("Die Gespräche zwischen Deutschland und Island endeten.", "de") == english
    assert places_named("Viðræðum Þýskalands og Íslands lauk.", "is") == english
    assert places_named("ドイツとアイスランドの協議が終わった。", "ja") == english
    assert places_named("德国和冰岛的会谈结束了。", "zh") == english


def test_names_of_several_words_and_inflected_forms() -> None:
    english = places_named("The United States and the United Kingdom signed.", "en")
    assert [name for name, _ in english] == ["United States", "United Kingdom"]
    assert places_named("Les États-Unis et le Royaume-Uni ont signé.", "fr") == english
    # Russian case endings: Соединённых Штатов is no table form, but Германии is.
    assert [n for n, _ in places_named("Посол Германии приехал в Японию.", "ru")] == [
        "Germany",
        "Japan",
    ]
    assert [n for n, _ in places_named("Uloga Njemačke u Ukrajini raste.", "hr")] == [
        "Germany",
        "Ukraine",
    ]


def test_a_country_keys_like_the_english_name_and_its_adjective() -> None:
    [(_, key)] = places_named("Deutschland exportiert mehr.", "de")
    german = [a.key for a in extract_anchors("The German exports grew.", "en").anchors]
    assert key in german
    # Too short a skeleton to key by sound: keyed by the whole English name, in every language.
    assert places_named("Россия и Китай", "ru") == places_named("Russia and China", "en")
    assert [k[0] for _, k in places_named("Russia and China", "en")] == ["@", "@"]


def test_words_are_countries_only_in_their_language_and_capitalized() -> None:
    # "Island" is Iceland in German, an island in English; "china" is porcelain in lowercase.
    assert places_named("He sailed to the Island of Man.", "en") == []
    assert places_named("Er reiste nach Island.", "de") == [
        ("Iceland", places_named("Iceland", "en")[0][1])
    ]
    assert places_named("The plates were made of fine china.", "en") == []


def test_a_country_is_one_anchor_not_also_a_chinese_name_read_by_sound() -> None:
    # 乌克兰 is written with the characters of names read by sound (wukelan): it is Ukraine.
    found = extract_anchors("乌克兰的特朗普。", "zh").anchors
    assert [a.label for a in found] == ["Ukraine", "telanpu"]


def test_cities_that_a_translation_renames() -> None:
    english = places_named("The ministers flew from London to New York.", "en")
    assert [name for name, _ in english] == ["London", "New York"]
    assert places_named("Les ministres sont partis de Londres pour New York.", "fr") == english
    assert places_named("部长们从伦敦飞往纽约。", "zh") == english
    # A city is more specific than a country: it weighs as a name of its rarity in English.
    weights = {a.label: a.weight for a in extract_anchors("伦敦和英国。", "zh").anchors}
    assert weights["London"] > weights["United Kingdom"]


def test_languages_without_cldr_names_have_no_table() -> None:
    assert place_names(None) is None
    assert place_names("xx") is None
    assert place_names("en").names["united states"].english == "United States"
