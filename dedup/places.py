"""Place names: a translation renames countries and many cities in its own language (Deutschland,
Allemagne, Германия, Þýskaland, ドイツ and 德国 are Germany; Londres, Lundúnir and 伦敦 are
London), where it keeps a person's name and only changes its script. Each language's names of
the countries and of the cities that name time zones come from CLDR, which babel installs as
data (no download); a name found in a text is keyed as the place's English name (dedup.anchors),
so that it meets the English text's word and the other languages' names of the same place.

Names are matched whole, as runs of words (Royaume-Uni, Vereinigte Staaten, New York) or of CJK
characters (俄罗斯); a one-word name of five letters or more also in inflected forms that change
at most its last letter and add up to two more (Германии, Deutschlands, Njemačkoj, Frakklandi).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from dedup.languages import cldr_locales
from dedup.normalize import TOKEN, normalize_text

if TYPE_CHECKING:
    from babel import Locale  # loaded on first use (place_names)

# CLDR's own forms that are not a place's name in running text: "Hong Kong SAR China",
# "Congo (DRC)", "Myanmar (Burma)". Only names of letters, spaces, hyphens and apostrophes.
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:[ \-'’][^\W\d_]+)*")
_SEPARATORS = re.compile(r"[ \-'’]+")
MIN_INFLECTED = 5  # shorter names (Iran, Oman, Peru) are matched only as they are written
MAX_ENDING = 2  # letters an inflected form adds after the name's stem (its last letter cut)


class Place(NamedTuple):
    english: str  # the place's English name, which keys it in every language
    country: bool  # a country (or territory), not a city


@dataclass(frozen=True, eq=False)  # hashed by identity: one per language, cached
class PlaceNames:
    """One language's place names."""

    names: dict[str, Place]  # the name's words in lowercase joined by spaces (CJK: no spaces)
    stems: dict[str, Place]  # one-word names of MIN_INFLECTED letters or more, their last cut
    # The beginnings of the names of several words (CJK: of several characters), keyed as
    # names are: how far a name may go on.
    prefixes: frozenset[str]


def _countries(english: Locale, locales: list[Locale]) -> Iterator[tuple[str, Place]]:
    """(a language's name of a country, the country) from CLDR's territories."""
    for code, in_english in english.territories.items():
        if len(code) == 2 and code.isalpha():  # not a region (001, 419)
            for locale in locales:
                yield locale.territories.get(code, ""), Place(in_english, True)


def _cities(english: Locale, locales: list[Locale]) -> Iterator[tuple[str, Place]]:
    """(a language's name of a city, the city) from the cities that name CLDR's time zones;
    a language names one where its name differs from the zone's (Europe/Moscow: Moscou)."""
    from babel.core import get_global

    for zone in get_global("zone_territories"):
        if "/" not in zone or zone.startswith("Etc/"):
            continue
        in_english = english.time_zones.get(zone, {}).get("city")
        place = Place(in_english or zone.rsplit("/", 1)[-1].replace("_", " "), False)
        for locale in locales:
            yield locale.time_zones.get(zone, {}).get("city") or place.english, place


def _is_cjk(name: str) -> bool:
    """Whether a name is written in CJK characters, as the text tokenizer tells them."""
    return all(m.lastgroup in ("kata", "han") for m in TOKEN.finditer(name))


@cache
def place_names(lang: str | None) -> PlaceNames | None:
    """The names of a language (ISO 639-1), None when CLDR does not know it."""
    if not lang:
        return None
    from babel import Locale, UnknownLocaleError  # deferred: CLDR data loads on first use

    try:
        english = Locale.parse("en")
        locales = [Locale.parse(v) for v in cldr_locales(lang)]
    except (UnknownLocaleError, ValueError):
        return None
    names: dict[str, Place] = {}
    stems: dict[str, Place] = {}
    prefixes: set[str] = set()
    # Countries first: where a city is named as its country (Singapore, Kuwait), a country.
    for name, place in [*_countries(english, locales), *_cities(english, locales)]:
        if not _PLAIN_NAME.fullmatch(name) or not _PLAIN_NAME.fullmatch(place.english):
            continue  # CLDR's qualified forms
        if _is_cjk(name):
            parts, separator = list(normalize_text(name)), ""
        else:
            parts, separator = _SEPARATORS.split(normalize_text(name).lower()), " "
        key = separator.join(parts)
        if len(parts) == 1 and len(key) >= MIN_INFLECTED and separator:
            stems.setdefault(key[:-1], place)
        names.setdefault(key, place)
        prefixes.update(separator.join(parts[:end]) for end in range(1, len(parts)))
    return PlaceNames(names, stems, frozenset(prefixes))


@lru_cache(maxsize=1 << 16)
def _one_token(table: PlaceNames, token: str, cjk: bool) -> Place | None:
    """The place a token names alone (a word in lowercase, in one of its inflected forms, or a
    katakana run), or None."""
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


def place_at(tokens: list[re.Match], i: int, table: PlaceNames) -> tuple[Place, int] | None:
    """The place whose name starts at tokens[i] (lexical tokens of dedup.normalize.TOKEN, not a
    number), and the index of the first token after it; None if none does. The caller decides
    whether the first token may start a name (case)."""
    cjk = tokens[i].lastgroup != "word"
    key = tokens[i].group() if cjk else tokens[i].group().lower()
    found = _one_token(table, key, cjk)
    end = i + 1
    # A longer name that starts here wins (New York over York, Vereinigte Staaten).
    for j in range(i + 1, len(tokens)):
        token = tokens[j]
        if key not in table.prefixes or token.lastgroup == "num":
            break
        if (token.lastgroup != "word") != cjk or not _joined(tokens[j - 1], token, cjk):
            break
        key += token.group() if cjk else " " + token.group().lower()
        if (longer := table.names.get(key)) is not None:
            found, end = longer, j + 1
    return (found, end) if found is not None else None
