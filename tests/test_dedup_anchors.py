from __future__ import annotations

from dedup.anchors import detect_language, extract_anchors
from dedup.kinds import is_loanword, unmarked
from dedup.rarity import zipf


def labels(sentence: str, lang: str | None) -> list[str]:
    """Names and numbers (loanword anchors apart: see the loanword tests)."""
    return [a.label for a in extract_anchors(sentence, lang).anchors if not is_loanword(a.key)]


def test_names_inside_a_sentence_are_anchors_common_words_are_not() -> None:
    got = labels("Yesterday the mayor of Vladivostok met Igor Pankratov at the port.", "en")
    assert got == ["Vladivostok", "igor", "pankratov"]


def test_sentence_initial_capital_needs_rarity() -> None:
    assert labels("Yesterday it rained.", "en") == []
    assert labels("Pankratov said nothing.", "en") == ["pankratov"]


def test_english_word_list_applies_to_latin_words_in_other_languages() -> None:
    # "The" is rare in Ukrainian word lists but is the commonest English word: no name.
    assert labels("Вчора The Guardian написав про Зеленського.", "uk") == ["guardian", "zelenskogo"]


def test_numbers_weigh_by_length() -> None:
    weights = {
        a.label: a.weight for a in extract_anchors("In 2019 we sold 48 of 5 cars.", "en").anchors
    }
    assert weights["2019"] > weights["48"] > weights["5"]


def test_katakana_names_are_anchors_common_loanwords_are_not() -> None:
    got = labels("パンクラトフ氏はテレビで話した。", "ja")
    assert got == ["pankuratofu"]


def test_units_cover_words_numbers_and_cjk_characters() -> None:
    assert extract_anchors("東京で2024年", "ja").units == ("東", "京", "で", "2024", "年")


def test_unknown_language_has_no_word_frequencies() -> None:
    assert zipf("word", "xx") is None
    assert zipf("the", "en") > 7


def test_language_detection() -> None:
    assert detect_language("Портовые власти Владивостока одобрили новую паромную линию.") == "ru"
    assert detect_language("   ") is None


def keys(sentence: str, lang: str | None) -> list[str]:
    return [a.key for a in extract_anchors(sentence, lang).anchors if not is_loanword(a.key)]


def loans(sentence: str, lang: str | None) -> list[str]:
    return [unmarked(a.key) for a in extract_anchors(sentence, lang).anchors if is_loanword(a.key)]


def test_katakana_w_and_m_are_restored() -> None:
    # ウィ is "wi", ン before a labial meets an m: William, Trump, Hamburg meet their Latin keys.
    assert keys("ウィリアムとトランプがハンブルクで会った。", "ja") == keys(
        "Then William and Trump met in Hamburg.", "en"
    )


def test_chinese_names_written_by_sound_meet_latin_names() -> None:
    zh = keys("尼克松和特朗普都说了。", "zh")
    assert zh == keys("Then Nixon and Trump spoke.", "en")
    # Common words made of transliteration characters but without a marker are no names, and
    # Japanese kanji are not read as Chinese sounds.
    assert keys("他们买了东西。", "zh") == []
    assert keys("尼克松", "ja") == []


def test_common_words_inside_sentences_are_counted_for_noun_capitalization() -> None:
    german = extract_anchors("Die Regierung hat die Schulden der Bank übernommen.", "de")
    english = extract_anchors("The government took over the debts of the bank.", "en")
    assert german.inner_capitalized >= 3 and german.inner_words >= 5
    assert english.inner_capitalized == 0 and english.inner_words >= 5


def test_lowercase_words_are_loanword_anchors_outside_japanese() -> None:
    # English writes as a lowercase word what Japanese writes by sound in katakana: the
    # loanword anchor of "collagen" has the key of コラーゲン, marked apart from names.
    assert keys("コラーゲン", "ja")[0] in loans("The cream holds collagen.", "en")
    assert "collagen" not in labels("The cream holds collagen.", "en")
    # The commonest words are translated, not borrowed; a Japanese text has no loanword anchors.
    assert "bks" not in loans("It works because of the cream.", "en")
    assert loans("クリームにcollagenを入れた。", "ja") == []


def test_small_tsu_doubles_the_next_consonant() -> None:
    # ショッピング: anyascii writes ッ as "t" whatever follows.
    assert keys("ショッピングに行った。", "ja") == loans("We went shopping.", "en")


def test_parts_of_unknown_katakana_compounds_are_anchors() -> None:
    # A compound written without a break (marine + collagen) keeps its parts known to the word
    # list, so that each meets the word the other language writes apart.
    compound = keys("マリンコラーゲンを使う。", "ja")
    assert set(keys("コラーゲン", "ja")) <= set(compound) and len(compound) == 3


def test_a_month_next_to_a_number_is_a_date_part_in_any_language() -> None:
    assert "#m3" in keys("The vote was held on March 5 in Tarvel.", "en")
    assert "#m3" in keys("Die Wahl fand am 5. März in Tarvel statt.", "de")
    assert "#m3" in keys("Голосование прошло 5 марта в Тарвеле.", "ru")
    assert "#m3" in keys("投票は3月5日に行われた。", "ja")
    # The month is no name: "March" gives no name anchor beside its date part.
    assert [k for k in keys("The vote was held on March 5.", "en") if not k.startswith("#")] == []


def test_a_month_without_a_number_is_no_date() -> None:
    assert not any(k.startswith("#m") for k in keys("In March the harbour of Tarvel froze.", "en"))
    assert not any(k.startswith("#m") for k in keys("投票は月曜日に行われた。", "ja"))


def test_month_names_are_read_in_the_article_language() -> None:
    # "listopad" is October in Croatian, November in Czech.
    assert "#m10" in keys("Sastanak je bio 5. listopada.", "hr")
    assert "#m11" in keys("Schůzka byla 5. listopadu.", "cs")
    assert not any(k.startswith("#m") for k in keys("Schůzka byla 5. listopadu.", None))


def test_word_lists_are_read_casefolded() -> None:
    # wordfreq files "schließlich" as "schliesslich" and Greek final sigma as σ: looked up as
    # written, they were unknown words, hence names of the highest weight.
    assert zipf("schließlich", "de") == zipf("schliesslich", "de") > 4.0
    assert zipf("λόγος", "el") > 4.0


def test_words_far_commoner_in_their_language_than_in_english_are_local() -> None:
    # A name is about as common in English as in German; a German common noun is not.
    found = extract_anchors("Der Rückgang beunruhigt Merkel, die Insee und Tarvel.", "de")
    local = {a.label: a.local for a in found.anchors if not is_loanword(a.key)}
    assert local == {"ruckgang": True, "merkel": False, "insee": False, "tarvel": False}
    # English texts are the reference: nothing is local there.
    assert not any(a.local for a in extract_anchors("The Decline worried Merkel.", "en").anchors)
    # An acronym is a name however local (SPD is far commoner in German than in English):
    # translations keep it.
    party = extract_anchors("Der Rückgang beunruhigt die SPD.", "de").anchors
    assert {a.label: a.local for a in party if not is_loanword(a.key)} == {
        "ruckgang": True,
        "spd": False,
    }


def test_compounds_of_known_words_are_local() -> None:
    # German joins nouns into one capitalized word that no word list knows, where French and
    # English write several lowercase ones; names made of a word and a short ending stay names.
    # (Some names read as two words, Verstappen as Vers + tappen: they only leave the anchor
    # signature, the verifier still counts them.)
    found = extract_anchors(
        "Die Blutbelastung am Militärstützpunkt besorgt Schwarzenegger und Rosenberg.", "de"
    )
    local = {a.label: a.local for a in found.anchors if not is_loanword(a.key)}
    assert local == {
        "blutbelastung": True,
        "militarstutzpunkt": True,
        "schwarzenegger": False,
        "rosenberg": False,
    }


def test_caseless_scripts_keep_common_names_out_of_the_signature() -> None:
    # Without case, rarity alone tells a name: Ukraine (यूक्रेन, Zipf 3.6 in Hindi) is as common
    # as many words, and is an anchor all the same, marked common; a rare name is not.
    found = {a.label: a for a in extract_anchors("यूक्रेन ने पंकरातोव को बधाई दी।", "hi").anchors}
    assert found["yukren"].common
    assert not found["pnkratov"].common
    # The danda ends the sentence, not the last word.
    assert extract_anchors("उसने बधाई दी।", "hi").units[-1] == "दी"
    # Cased scripts mark no word common: their capitals tell names.
    assert not any(a.common for a in extract_anchors("Russia praised Pankratov.", "en").anchors)


def test_a_text_without_capitals_is_read_by_rarity() -> None:
    assert labels("the mayor of vladivostok met igor pankratov.", "en") == []
    lowered = extract_anchors("the mayor of vladivostok met igor pankratov.", "en", cased=False)
    assert [a.label for a in lowered.anchors] == ["Vladivostok", "igor", "pankratov"]


def test_a_sentence_in_capitals_has_no_acronyms() -> None:
    # A product page's selling point: its words are no acronyms (keys "=" + word) that a
    # translation would have to keep; read by rarity, its common words stay out of the
    # signature, and a name in a shouted headline meets the same name written as usual.
    shouted = extract_anchors("AMÉLIORE LA CIRCULATION SANGUINE ET SOULAGE LES DOULEURS", "fr")
    assert not [a for a in shouted.anchors if a.key.startswith("=")]
    assert {a.label for a in shouted.anchors if a.common} >= {"circulation", "douleurs"}
    headline = extract_anchors("LE FERRY DE PANKRATOV PART DE VLADIVOSTOK", "fr")
    usual = extract_anchors("Le ferry de Pankratov part de Vladivostok", "fr")
    assert {a.key for a in headline.anchors} >= {a.key for a in usual.anchors} != set()
    # Acronyms among ordinary words still are.
    plain = extract_anchors("La NATO et l'UNESCO ont signé un accord avec la FIFA.", "fr")
    assert {"=nato", "=unesco", "=fifa"} <= {a.key for a in plain.anchors}


def test_a_latin_word_after_chinese_or_japanese_text_is_inside_the_sentence() -> None:
    # Only a sentence's first word is capitalized whatever it is; a brand after Han or kana
    # characters is written as its owner writes it, and common as it may be in English
    # (Zipf 4.4), it is a name here as it is inside an English sentence.
    english = {a.key for a in extract_anchors("There are many Android phones.", "en").anchors}
    assert "andl" in english
    inside = (("市场上有很多 Android 手机。", "zh"), ("日本ではAndroid端末が多い。", "ja"))
    for sentence, lang in inside:
        assert "andl" in {a.key for a in extract_anchors(sentence, lang).anchors}
    # A Latin word that does begin the sentence still needs to be rare.
    assert labels("Android 手机很多。", "zh") == []


def test_camel_case_brands_are_names_keyed_whole() -> None:
    english = extract_anchors("Users of iOS and macOS buy an iPhone on eBay.", "en").anchors
    keys = {a.key for a in english}
    assert {"=ios", "=macos", "=iphone", "=ebay"} <= keys
    chinese = extract_anchors("新的iOS和macOS版本。", "zh").anchors
    assert {a.key for a in chinese} == {"=ios", "=macos"}
    # Lowercase words stay what they were: no names.
    assert labels("Users buy apples.", "en") == []
