"""Anchors: the tokens of a sentence that survive translation, keyed so that the same name or
number written in another language and script gets the same key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dedup.normalize import TOKEN, normalize_text, number_keys, skeleton, translit
from dedup.rarity import zipf

# Transliterated words compare on a prefix of their consonant skeleton: inflection changes
# endings (Хабаровска / Khabarovsk) far more often than beginnings, and transliteration schemes
# disagree mostly on vowels and on letters the skeleton merges.
PREFIX = 5
MIN_SKELETON = 3  # shorter skeletons ("bl", "mn") collide by chance
# Zipf thresholds: a capitalized word inside a sentence is a name unless it is among the very
# commonest words (German capitalizes every noun; those nouns are common, names mostly are not);
# any word rarer than RARE is a term or a name whatever its case.
NAME_MAX_ZIPF = 5.5
INITIAL_NAME_MAX_ZIPF = 4.0
RARE = 3.0
CASELESS_RARE = 3.5  # scripts without case (Arabic, Indic, kana) rely on rarity alone
KATAKANA_MAX_ZIPF = 4.5


@dataclass(frozen=True)
class Anchor:
    key: str  # cross-lingual identity: "#" + significant digits, or a transliterated prefix
    label: str  # human-readable form, for evidence
    weight: float  # rarer anchors count more


@dataclass(frozen=True)
class SentenceAnchors:
    units: tuple[str, ...]  # lexical units (lowercase words, numbers, CJK characters)
    anchors: tuple[Anchor, ...]


def _rarity_weight(z: float | None) -> float:
    # Unknown language: treat as moderately rare; known: the rarer, the heavier, bounded so that
    # a single misspelling cannot dominate a document.
    if z is None:
        return 2.0
    return min(4.0, max(0.5, 6.5 - z))


def _number_weight(key: str) -> float:
    # Single digits are often spelled out in one language and written as digits in another, and
    # two-digit numbers repeat by chance; longer numbers (years, amounts) are strong anchors.
    return {1: 0.5, 2: 1.0}.get(len(key), 2.0)


@lru_cache(maxsize=1 << 18)
def _word_anchor(raw: str, lang: str | None, initial: bool) -> Anchor | None:
    lower = raw.lower()
    latin = translit(raw)
    acronym = raw.isupper() and len(raw) >= 2
    key = "=" + latin if acronym else skeleton(latin)[:PREFIX]
    if not acronym and len(key) < MIN_SKELETON:
        return None
    z = zipf(lower, lang)
    has_case = lower != raw.upper()
    capitalized = raw[0].isupper()
    if z is None:
        # No word list for this language: capitalization is the only evidence of a name.
        is_anchor = capitalized and not initial if has_case else False
    elif has_case:
        is_anchor = (
            (capitalized and not initial and z < NAME_MAX_ZIPF)
            or (capitalized and initial and z < INITIAL_NAME_MAX_ZIPF)
            or z < RARE
        )
    else:
        is_anchor = z < CASELESS_RARE
    if not is_anchor:
        return None
    return Anchor(key=key, label=latin, weight=_rarity_weight(z))


@lru_cache(maxsize=1 << 16)
def _katakana_anchor(raw: str) -> Anchor | None:
    # Katakana writes foreign names and loanwords; the common loanwords (テレビ) are filtered.
    z = zipf(raw, "ja")
    if z is not None and z >= KATAKANA_MAX_ZIPF:
        return None
    latin = translit(raw)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=_rarity_weight(z))


def extract_anchors(sentence: str, lang: str | None) -> SentenceAnchors:
    units: list[str] = []
    anchors: list[Anchor] = []
    first_word = True
    for m in TOKEN.finditer(normalize_text(sentence)):
        kind, raw = m.lastgroup, m.group()
        if kind == "num":
            keys = number_keys(raw)
            units.extend(keys)
            anchors.extend(Anchor("#" + k, raw, _number_weight(k)) for k in keys)
        elif kind == "word":
            units.append(raw.lower())
            anchor = _word_anchor(raw, lang, first_word)
            first_word = False
            if anchor is not None:
                anchors.append(anchor)
        elif kind == "kata":
            units.extend(raw)
            anchor = _katakana_anchor(raw)
            if anchor is not None:
                anchors.append(anchor)
        else:  # han / hiragana: one unit per character, as CJK has no spaces
            units.append(raw)
    return SentenceAnchors(tuple(units), tuple(anchors))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by py3langid, from its first few thousand chars."""
    sample = text[:3000].strip()
    if not sample:
        return None
    from py3langid.langid import classify  # deferred: loading the model takes a moment

    lang, _ = classify(sample)
    return lang
