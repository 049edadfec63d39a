"""What the library knows about each language, in one table. A language missing here is still
read: by the word lists wordfreq has under its own code, CLDR's place names, no month table,
and the script rules every text gets. Adding a language means an entry here and its translation
of the ferry story, tests/fixtures/dedup/ferry_<code>.txt, named in FERRY_TRANSLATIONS
(tests/conftest.py): tests/test_dedup_languages.py requires both and pins its fingerprint.

Codes are ISO 639-1, as fingerprint() reduces a document's language to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Language:
    code: str
    # wordfreq's code when it files the language under another (Croatian, Bosnian and Serbian
    # as Serbo-Croatian; Norwegian as Bokmål).
    wordlist: str | None = None
    # The month table of dedup/months.py it shares, when it has none of its own.
    months: str | None = None
    # CLDR locales whose place names it reads, when it is written in several scripts.
    scripts: tuple[str, ...] = ()
    # Prefixes written onto the next word ("and", "the", "in"...), which change a name's key
    # (anchors.py: names without their prefixes).
    clitics: tuple[str, ...] = ()
    # Writes loanwords by sound in a script of its own (katakana), where a Latin-script text
    # writes lowercase words: they meet as loanword anchors (verify/keys.py).
    loanwords_by_sound: bool = False
    # Writes foreign names by sound with a small set of Han characters (anchors.py).
    phonetic_han: bool = False
    # Chinese, Japanese, Korean: a pair with one of them keeps fewer anchors in common than a
    # pair of alphabetic languages, and the verifier's model knows which it sees.
    cjk: bool = False
    # Sentence stops of its script beyond . ! ? … (dedup/segment.py).
    stops: str = ""


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("hr", wordlist="sh"),
        Language("bs", wordlist="sh", months="hr"),
        Language("sr", wordlist="sh", scripts=("sr_Cyrl", "sr_Latn")),
        Language("no", wordlist="nb", months="nb"),
        Language("nn", wordlist="nb", months="nb"),
        Language("tl", wordlist="fil"),
        Language("ms", months="id"),
        Language("zh", scripts=("zh_Hans", "zh_Hant"), phonetic_han=True, cjk=True, stops="。！？"),
        Language("ja", loanwords_by_sound=True, cjk=True, stops="。！？"),
        Language("ko", cjk=True),
        Language(
            "ar",
            clitics=(
                *("و", "ف", "ب", "ك", "ل", "ال", "وال"),
                *("فال", "بال", "كال", "لل", "ول", "وب", "فل"),
            ),
            stops="\u061f",
        ),
        Language(
            "he",
            clitics=(
                *("ו", "ה", "ב", "כ", "ל", "מ", "ש", "וה"),
                *("וב", "ול", "ומ", "וש", "שה", "מה", "כש"),
            ),
        ),
        Language("ur", stops="\u061f\u06d4"),
        Language("hi", stops="\u0964\u0965"),
        Language("bn", stops="\u0964\u0965"),
        Language("hy", stops="\u0589"),
        Language("am", stops="\u1362"),
        Language("my", stops="\u104b"),
    )
}


@cache
def language(code: str | None) -> Language:
    """The entry of a language; a plain one for a language the table does not name. Cached:
    it is asked for every word and every compared pair."""
    return LANGUAGES.get(code or "") or Language(code or "")


def wordlist_code(code: str) -> str:
    return language(code).wordlist or code


def month_table_code(code: str) -> str:
    return language(code).months or code


def cldr_locales(code: str) -> tuple[str, ...]:
    return language(code).scripts or (code,)


def clitics(code: str | None) -> tuple[str, ...]:
    return language(code).clitics


def writes_loanwords_by_sound(code: str | None) -> bool:
    return language(code).loanwords_by_sound


def reads_han_by_sound(code: str | None) -> bool:
    return language(code).phonetic_han


def is_cjk(code: str | None) -> bool:
    return language(code).cjk


# Every script's sentence stops, in the table's order after the common ones.
SENTENCE_STOPS = "".join(dict.fromkeys(".!?…" + "".join(lang.stops for lang in LANGUAGES.values())))
