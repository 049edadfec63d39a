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
PREFIX = 4
MIN_SKELETON = 3  # shorter skeletons ("bl", "mn") collide by chance
# Which tokens survive machine translation was measured on the tune half of the corpus (share of
# an original's anchors found in its translation / in an unrelated article): numbers of two or
# more digits 0.96 / 0.01; capitalized words inside a sentence 0.60 (unseen in the word list)
# down to 0.23 (Zipf 5) / 0.01-0.03; sentence-initial capitalized words only when rare (Zipf < 3:
# 0.5); lowercase words, even rare ones, 0.1 — they get translated, so they are no anchors.
NAME_MAX_ZIPF = 5.5
INITIAL_NAME_MAX_ZIPF = 3.0
CASELESS_RARE = 3.5  # scripts without case (Arabic, Indic) rely on rarity alone
KATAKANA_MAX_ZIPF = 4.5
ENGLISH_KNOWN = 3.0  # in a language without word list, a word this common in English is English


@dataclass(frozen=True)
class Anchor:
    key: str  # cross-lingual identity: "#" + significant digits, or a transliterated prefix
    label: str  # human-readable form, for evidence
    weight: float  # rarer anchors count more


@dataclass(frozen=True)
class SentenceAnchors:
    units: tuple[str, ...]  # lexical units (lowercase words, numbers, CJK characters)
    anchors: tuple[Anchor, ...]


def _name_weight(z: float | None) -> float:
    # Roughly the log-odds of the measured survival against chance: names unknown to the word
    # list are near-certain evidence, names that are also common words much less.
    if z is None:
        return 2.5
    if z < 1.0:
        return 4.0
    if z < 4.0:
        return 3.0
    if z < 5.0:
        return 2.5
    return 1.5


def _number_weight(key: str) -> float:
    # Single digits are often spelled out in one language and written as digits in another, and
    # are in most articles; numbers of two digits and more (amounts, years) survive translation
    # almost always and rarely meet by chance.
    return 1.0 if len(key) == 1 else 3.0 if len(key) == 2 else 4.0


def _is_latin(word: str) -> bool:
    return all(ord(ch) < 0x250 for ch in word)


@lru_cache(maxsize=1 << 18)
def _word_anchor(raw: str, lang: str | None, case_is_evidence: bool) -> Anchor | None:
    lower = raw.lower()
    latin = translit(raw)
    acronym = raw.isupper() and len(raw) >= 2
    key = "=" + latin if acronym else skeleton(latin)[:PREFIX]
    if not acronym and len(key) < MIN_SKELETON:
        return None
    z = zipf(lower, lang)
    if lang != "en" and _is_latin(raw):
        # English leaks into every language (menus, brands, templates): a Latin-script word
        # common in English is no anchor, whatever the article's language.
        english = zipf(lower, "en") or 0.0
        if z is not None:
            z = max(z, english)
        elif english >= ENGLISH_KNOWN:
            z = english
    has_case = lower != raw.upper()
    capitalized = raw[0].isupper()
    if z is None:
        # No word list for this language: capitalization is the only evidence of a name.
        is_anchor = capitalized and case_is_evidence if has_case else False
    elif has_case:
        is_anchor = capitalized and z < (
            NAME_MAX_ZIPF if case_is_evidence else INITIAL_NAME_MAX_ZIPF
        )
    else:
        is_anchor = z < CASELESS_RARE
    if not is_anchor:
        return None
    return Anchor(key=key, label=latin, weight=_name_weight(z))


@lru_cache(maxsize=1 << 16)
def _katakana_anchor(raw: str) -> Anchor | None:
    # Katakana writes foreign names and loanwords; the common loanwords (テレビ) are filtered.
    # Runs unknown to the word list are mostly compounds of several words (survival 0.19
    # against 0.45 for known ones), so they weigh less.
    z = zipf(raw, "ja")
    if z is not None and z >= KATAKANA_MAX_ZIPF:
        return None
    latin = translit(raw)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=1.5 if not z else 3.0)


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
            # The first word of a sentence is capitalized whatever it is.
            anchor = _word_anchor(raw, lang, not first_word)
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
