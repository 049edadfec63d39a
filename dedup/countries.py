"""Country names: a translation renames a country in its own language (Deutschland, Allemagne,
Германия, Þýskaland, ドイツ, 德国 are all Germany), where it keeps a person's or a town's name
and only changes its script. Each language's name of each country comes from CLDR's territory
names, which babel installs as data (no download); a name found in a text is keyed as the
country's English name, so that it meets the English text's word, the adjective that shares its
beginning (German, Germany) and the other languages' names of the same country.

Names are matched whole, as runs of words (Royaume-Uni, Vereinigte Staaten) or of CJK
characters (俄罗斯); a one-word name of five letters or more also in inflected forms that change
at most its last letter and add up to two (Германии, Deutschlands, Njemačkoj, Frakklandi).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from dedup.normalize import normalize_text

# CLDR's own forms that are not a country's name in running text: "Hong Kong SAR China",
# "Congo (DRC)", "Myanmar (Burma)". Only names of letters, spaces, hyphens and apostrophes.
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[ \-'’][^\W\d_]+)*")
_SEPARATORS = re.compile(r"[ \-'’]+")
MIN_INFLECTED = 5  # shorter names (Iran, Oman, Peru) are matched only as they are written
MAX_ENDING = 2  # letters an inflected form adds after the name's stem (its last letter cut)
# Languages whose tables differ by script: both are read.
_SCRIPT_VARIANTS = {"zh": ("zh_Hans", "zh_Hant"), "sr": ("sr_Cyrl", "sr_Latn")}


@dataclass(frozen=True, eq=False)  # hashed by identity: one per language, cached
class CountryNames:
    """One language's country names, each mapped to the English name."""

    names: dict[str, str]  # the name's words in lowercase joined by spaces (CJK: no spaces)
    stems: dict[str, str]  # one-word names of MIN_INFLECTED letters or more, their last cut
    starts: frozenset[str]  # first words (CJK: first characters) of names of several
    longest: int  # most words (or CJK characters) in a name


def _words(name: str) -> list[str]:
    return _SEPARATORS.split(normalize_text(name).lower())


def _is_cjk(name: str) -> bool:
    return all("\u3040" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in name)


@cache
def country_names(lang: str | None) -> CountryNames | None:
    """The table for a language (ISO 639-1), None when CLDR does not know it."""
    if not lang:
        return None
    from babel import Locale, UnknownLocaleError  # deferred: CLDR data loads on first use

    try:
        english = Locale.parse("en").territories
        tables = [Locale.parse(v).territories for v in _SCRIPT_VARIANTS.get(lang, (lang,))]
    except (UnknownLocaleError, ValueError):
        return None
    names: dict[str, str] = {}
    stems: dict[str, str] = {}
    starts: set[str] = set()
    longest = 1
    for code, in_english in english.items():
        if len(code) != 2 or not code.isalpha() or not _PLAIN_NAME.fullmatch(in_english):
            continue  # regions (001, 419) and CLDR's qualified forms
        for table in tables:
            name = table.get(code)
            if not name or not _PLAIN_NAME.fullmatch(name):
                continue
            if _is_cjk(name):
                key = normalize_text(name)
                parts = list(key)
            else:
                parts = _words(name)
                key = " ".join(parts)
                if len(parts) == 1 and len(key) >= MIN_INFLECTED:
                    stems.setdefault(key[:-1], in_english)
            names.setdefault(key, in_english)
            if len(parts) > 1:
                starts.add(parts[0])
            longest = max(longest, len(parts))
    return CountryNames(names, stems, frozenset(starts), longest)


@lru_cache(maxsize=1 << 16)
def _one_token(table: CountryNames, token: str, cjk: bool) -> str | None:
    """The English name of the country a token names alone (a word in lowercase, in one of
    its inflected forms, or a katakana run), or None."""
    found = table.names.get(token)
    if cjk or found is not None:
        return found
    for ending in range(MAX_ENDING + 2):  # the cut last letter and up to MAX_ENDING more
        stem = token[: len(token) - ending] if ending else token
        if len(stem) < MIN_INFLECTED - 1:
            break
        if (found := table.stems.get(stem)) is not None:
            return found
    return None


def _joined(prev: re.Match, token: re.Match, cjk: bool) -> bool:
    """Whether token continues the name prev is part of: CJK characters touch, words are
    separated by spaces, hyphens or apostrophes alone."""
    gap = token.string[prev.end() : token.start()]
    return not gap if cjk else bool(_SEPARATORS.fullmatch(gap))


def country_at(tokens: list[re.Match], i: int, table: CountryNames) -> tuple[str, int] | None:
    """The English name of the country whose name starts at tokens[i] (lexical tokens of
    dedup.normalize.TOKEN, not a number), and the index of the first token after it; None if
    none does. The caller decides whether the first token may start a name (case)."""
    cjk = tokens[i].lastgroup != "word"
    first = tokens[i].group() if cjk else tokens[i].group().lower()
    if (first[0] if cjk else first) in table.starts:
        span = [tokens[i]]
        for token in tokens[i + 1 : i + table.longest]:
            kind = token.lastgroup
            if kind == "num" or (kind != "word") != cjk or not _joined(span[-1], token, cjk):
                break
            span.append(token)
        for end in range(len(span), 1, -1):  # the longest name first
            words = (t.group() if cjk else t.group().lower() for t in span[:end])
            if (found := table.names.get(("" if cjk else " ").join(words))) is not None:
                return found, i + end
    found = _one_token(table, first, cjk)
    return (found, i + 1) if found is not None else None
