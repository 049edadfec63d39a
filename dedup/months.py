"""Month names as dates: "March 5", "5. März", "5 марта", "5 ožujka" and "3月5日" name one
month, which a translation keeps next to its numbers. A month name alone is not an anchor (it
is translated, and lowercase in most languages); next to a number it is a date part.

Forms per language are general linguistics (names, their inflected forms, the usual
abbreviations); a language without a table has no month anchors (its numbers still count).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from dedup.kinds import number_key
from dedup.languages import month_table_code

# One string per month, its forms separated by spaces, January first.
_FORMS: dict[str, tuple[str, ...]] = {
    "en": (
        "january jan", "february feb", "march mar", "april apr", "may", "june jun",
        "july jul", "august aug", "september sep sept", "october oct", "november nov",
        "december dec",
    ),
    "de": (
        "januar jänner jan", "februar feber feb", "märz mär", "april apr", "mai", "juni jun",
        "juli jul", "august aug", "september sep sept", "oktober okt", "november nov",
        "dezember dez",
    ),
    "fr": (
        "janvier janv", "février févr", "mars", "avril avr", "mai", "juin", "juillet juil",
        "août", "septembre sept", "octobre oct", "novembre nov", "décembre déc",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre setiembre", "octubre", "noviembre", "diciembre",
    ),
    "it": (
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre",
    ),
    "pt": (
        "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
        "setembro", "outubro", "novembro", "dezembro",
    ),
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ),
    "ro": (
        "ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august",
        "septembrie", "octombrie", "noiembrie", "decembrie",
    ),
    "ca": (
        "gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost", "setembre",
        "octubre", "novembre", "desembre",
    ),
    "is": (
        "janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst", "september",
        "október", "nóvember", "desember",
    ),
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december",
    ),
    "da": (
        "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
        "oktober", "november", "december",
    ),
    "nb": (
        "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
        "oktober", "november", "desember",
    ),
    "fi": (
        "tammikuu tammikuuta", "helmikuu helmikuuta", "maaliskuu maaliskuuta",
        "huhtikuu huhtikuuta", "toukokuu toukokuuta", "kesäkuu kesäkuuta",
        "heinäkuu heinäkuuta", "elokuu elokuuta", "syyskuu syyskuuta", "lokakuu lokakuuta",
        "marraskuu marraskuuta", "joulukuu joulukuuta",
    ),
    "et": (
        "jaanuar jaanuari", "veebruar veebruari", "märts märtsi", "aprill aprilli", "mai",
        "juuni", "juuli", "august augusti", "september septembri", "oktoober oktoobri",
        "november novembri", "detsember detsembri",
    ),
    "tr": (
        "ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül",
        "ekim", "kasım", "aralık",
    ),
    "hu": (
        "január", "február", "március", "április", "május", "június", "július", "augusztus",
        "szeptember", "október", "november", "december",
    ),
    "el": (
        "ιανουάριος ιανουαρίου", "φεβρουάριος φεβρουαρίου", "μάρτιος μαρτίου",
        "απρίλιος απριλίου", "μάιος μαΐου", "ιούνιος ιουνίου", "ιούλιος ιουλίου",
        "αύγουστος αυγούστου", "σεπτέμβριος σεπτεμβρίου", "οκτώβριος οκτωβρίου",
        "νοέμβριος νοεμβρίου", "δεκέμβριος δεκεμβρίου",
    ),
    "ru": (
        "январь января январе", "февраль февраля феврале", "март марта марте",
        "апрель апреля апреле", "май мая мае", "июнь июня июне", "июль июля июле",
        "август августа августе", "сентябрь сентября сентябре", "октябрь октября октябре",
        "ноябрь ноября ноябре", "декабрь декабря декабре",
    ),
    "uk": (
        "січень січня", "лютий лютого", "березень березня", "квітень квітня",
        "травень травня", "червень червня", "липень липня", "серпень серпня",
        "вересень вересня", "жовтень жовтня", "листопад листопада", "грудень грудня",
    ),
    "bg": (
        "януари", "февруари", "март", "април", "май", "юни", "юли", "август", "септември",
        "октомври", "ноември", "декември",
    ),
    "hr": (
        "siječanj siječnja", "veljača veljače", "ožujak ožujka", "travanj travnja",
        "svibanj svibnja", "lipanj lipnja", "srpanj srpnja", "kolovoz kolovoza",
        "rujan rujna", "listopad listopada", "studeni studenoga studenog", "prosinac prosinca",
    ),
    "sr": (
        "januar januara", "februar februara", "mart marta", "april aprila", "maj maja",
        "jun juna", "jul jula", "avgust avgusta", "septembar septembra", "oktobar oktobra",
        "novembar novembra", "decembar decembra",
    ),
    "sl": (
        "januar januarja", "februar februarja", "marec marca", "april aprila", "maj maja",
        "junij junija", "julij julija", "avgust avgusta", "september septembra",
        "oktober oktobra", "november novembra", "december decembra",
    ),
    "cs": (
        "leden ledna", "únor února", "březen března", "duben dubna", "květen května",
        "červen června", "červenec července", "srpen srpna", "září", "říjen října",
        "listopad listopadu", "prosinec prosince",
    ),
    "sk": (
        "január januára", "február februára", "marec marca", "apríl apríla", "máj mája",
        "jún júna", "júl júla", "august augusta", "september septembra", "október októbra",
        "november novembra", "december decembra",
    ),
    "pl": (
        "styczeń stycznia", "luty lutego", "marzec marca", "kwiecień kwietnia", "maj maja",
        "czerwiec czerwca", "lipiec lipca", "sierpień sierpnia", "wrzesień września",
        "październik października", "listopad listopada", "grudzień grudnia",
    ),
    "lt": (
        "sausis sausio", "vasaris vasario", "kovas kovo", "balandis balandžio",
        "gegužė gegužės", "birželis birželio", "liepa liepos", "rugpjūtis rugpjūčio",
        "rugsėjis rugsėjo", "spalis spalio", "lapkritis lapkričio", "gruodis gruodžio",
    ),
    "lv": (
        "janvāris janvārī", "februāris februārī", "marts martā", "aprīlis aprīlī",
        "maijs maijā", "jūnijs jūnijā", "jūlijs jūlijā", "augusts augustā",
        "septembris septembrī", "oktobris oktobrī", "novembris novembrī", "decembris decembrī",
    ),
    "id": (
        "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
        "september", "oktober", "november", "desember",
    ),
}  # fmt: skip
_TABLES: dict[str, dict[str, int]] = {
    lang: {
        unicodedata.normalize("NFKC", form): month
        for month, forms in enumerate(months, start=1)
        for form in forms.split()
    }
    for lang, months in _FORMS.items()
}
# Chinese and Japanese write a month as its number followed by 月, Korean by 월.
MONTH_SUFFIXES = frozenset({"月", "월"})


@lru_cache(maxsize=1 << 16)
def month_of(word: str, lang: str | None) -> int | None:
    """The month (1-12) a word of the given language names, or None. Tables are per language:
    the same word names different months in related languages (listopad: October in Croatian,
    November in Czech and Polish)."""
    table = _TABLES.get(month_table_code(lang)) if lang else None
    return table.get(word.lower().rstrip(".")) if table else None


def month_key(month: int) -> str:
    # Keyed as a number: a date part is compared as a number is (not a name: no prefix
    # matching, same-language pairs keep it).
    return number_key(f"m{month}")


_MONTH_MARK = number_key("m")


def is_month_key(key: str) -> bool:
    return key.startswith(_MONTH_MARK)
