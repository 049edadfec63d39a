"""Anchors: the tokens of a sentence that survive translation, keyed so that the same name or
number written in another language and script gets the same key."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from dedup.kinds import acronym_key, loanword_key, number_key, place_key
from dedup.languages import clitics, reads_han_by_sound, writes_loanwords_by_sound
from dedup.months import MONTH_SUFFIXES, month_key, month_of
from dedup.normalize import TOKEN, normalize_text, number_keys, skeleton, translit
from dedup.places import Place, place_at, place_names
from dedup.rarity import zipf

# Transliterated words compare on a prefix of their consonant skeleton: inflection changes
# endings (Хабаровска / Khabarovsk) far more often than beginnings, and transliteration schemes
# disagree mostly on vowels and on letters the skeleton merges. Part of the key format.
PREFIX = 4
MIN_SKELETON = 3  # shorter skeletons ("bl", "mn") collide by chance


@dataclass(frozen=True, eq=False)
class AnchorParams:
    """Which tokens are anchors and what they weigh. Survival (share of an original's anchors
    found in its translation / in an unrelated article) was measured on the corpus' tune half;
    docs/quality.md, "Anchors", gives the method, docs/history.md the measurements. The
    switches turn one idea off, for ablations (bench/quality_ablate.py). Compared and hashed
    by identity: it keys the caches of the per-word functions, called for every word."""

    # Capitalized words inside a sentence survive 0.60 (unseen) down to 0.23 (Zipf 5) against
    # 0.01-0.03 by chance; sentence-initial ones only when rare (Zipf < 3: 0.5).
    name_max_zipf: float = 5.5
    initial_name_max_zipf: float = 3.0
    # Caseless scripts tell names by rarity alone: the names news repeats most are as common
    # as words (Trump 4.4 in Arabic). Words from caseless_rare on are Anchor.common (docs/
    # quality.md, "Caseless scripts").
    caseless_max_zipf: float = 5.5
    caseless_rare: float = 3.5
    katakana_max_zipf: float = 4.5  # common loanwords (テレビ) are no anchors
    english_known: float = 3.0  # without a word list, a word this common in English is English
    # Chinese names read by sound weigh like katakana runs unknown to the word list.
    phonetic_han_weight: float = 1.5
    # A Latin-script word of Zipf >= local_min_zipf in its language and local_margin rarer in
    # English is a local word (a common noun where nouns are capitalized): out of signatures.
    local_margin: float = 1.5
    local_min_zipf: float = 3.0
    # A capitalized unknown word made of two known ones (Blut+belastung) is a compound noun,
    # local too; tails of 5+ letters (names end in short words: Rosen+berg).
    compound_min_head: int = 3
    compound_min_tail: int = 5
    compound_part_zipf: float = 3.0
    # A sentence with 3+ words in capitals, 60% of its cased words, is shouted (a product
    # page's selling points): read by rarity, as a caseless script.
    shouted_min_words: int = 3
    shouted_share: float = 0.6
    common_zipf: float = 3.5  # a common word, for telling whether a language capitalizes nouns
    # Lowercase Latin-script words rarer than this are loanword anchors a Japanese text may
    # keep by sound (common words get translated), weighed 1 (1.5 let a same-event pair in).
    loan_max_zipf: float = 5.0
    loan_weight: float = 1.0
    # A month next to a number weighs as a single digit: one of few values, shared by chance.
    month_weight: float = 1.0
    # A country is named again and again: it weighs as a month (at 1.5, two more false
    # positives; at 1.0, +7 long alphabetic pairs on tune). Cities weigh as other names.
    country_weight: float = 1.0
    # Known parts of an unknown katakana compound (ダブルクリーム) are anchors, weighed as
    # unknown runs.
    min_katakana_part: int = 2
    katakana_part_weight: float = 1.5
    # Ideas that can be switched off (ablations).
    months: bool = True  # month names next to numbers
    places: bool = True  # place names keyed as in English (dedup/places.py)
    loanwords: bool = True
    katakana_parts: bool = True
    katakana_w: bool = True  # katakana's u before a vowel read as w (ウィリアム: William)
    phonetic_han: bool = True  # Chinese names read by sound
    compounds: bool = True


ANCHORS = AnchorParams()


@dataclass(frozen=True)
class Anchor:
    key: str  # cross-lingual identity: "#" + significant digits, or a transliterated prefix
    label: str  # human-readable form, for evidence
    weight: float  # rarer anchors count more
    # A Latin-script word far more common in its own language than in English: a common noun
    # when the language capitalizes nouns (Rückgang, Wirtschaft), where a name is about as
    # common in both (Merkel, Nigeria, Insee). Such words stay out of the anchor signature of
    # a text that capitalizes common words (fingerprint()).
    local: bool = False
    # A word of a caseless script about as common as the commonest names (caseless_rare): for
    # the verifier, where the other text's anchors decide whether it is a name, but out of the
    # anchor signature, which a text's common words would flood (fingerprint()).
    common: bool = False
    bare: tuple[Anchor, ...] = ()  # the word without its prefixes (see _clitic_anchors)


@dataclass(frozen=True)
class SentenceAnchors:
    units: tuple[str, ...]  # lexical units (lowercase words, numbers, CJK characters)
    anchors: tuple[Anchor, ...]
    # Common words (Zipf >= common_zipf) of a cased script after the first of the sentence,
    # and how many of them are capitalized: whether the language capitalizes common nouns.
    inner_words: int = 0
    inner_capitalized: int = 0
    katakana: int = 0  # anchors that are katakana runs (names and loanwords alike)


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


@lru_cache(maxsize=1 << 18)
def _loan_anchor(raw: str, lang: str | None, params: AnchorParams) -> Anchor | None:
    """A lowercase Latin-script word that a Japanese translation may keep by sound."""
    if not raw.islower() or not _is_latin(raw):
        return None
    z = zipf(raw, lang)
    if z is None:  # no word list for the language: the word is likely English
        z = zipf(raw, "en")
    if z is None or z >= params.loan_max_zipf:
        return None
    latin = translit(raw)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=loanword_key(key), label=latin, weight=params.loan_weight)


_NOT_LATIN = re.compile("[^\x00-\u024f]")  # beyond Latin Extended-B


def _is_latin(word: str) -> bool:
    # One regex search: a generator over the characters was a tenth of fingerprinting.
    return word.isascii() or _NOT_LATIN.search(word) is None


@lru_cache(maxsize=1 << 18)
def _word_anchor(
    raw: str, lang: str | None, case_is_evidence: bool, cased: bool, params: AnchorParams
) -> Anchor | None:
    """cased: False for a text that writes no capitals (see extract_anchors)."""
    lower = raw.lower()
    has_case = cased and lower != raw.upper()
    # A brand in camel case (iPhone, macOS, eBay) is a name, and translations keep its
    # spelling: keyed whole, as an acronym is (its skeleton is often too short: iOS).
    camel = has_case and not raw[0].isupper() and raw != lower
    capitalized = raw[0].isupper() or camel
    if has_case and not capitalized:
        # Decided below too (a cased word is an anchor only when capitalized), but most words
        # are lowercase: this spares them transliteration and word-list lookups.
        return None
    latin = translit(raw)
    acronym = has_case and (camel or (raw.isupper() and len(raw) >= 2))
    key = acronym_key(latin) if acronym else skeleton(latin)[:PREFIX]
    if not acronym and len(key) < MIN_SKELETON:
        return None
    z = zipf(lower, lang)
    local = False
    if lang != "en" and _is_latin(raw):
        # English leaks into every language (menus, brands, templates): a Latin-script word
        # common in English is no anchor, whatever the article's language.
        english = zipf(lower, "en") or 0.0
        if z is not None:
            # An acronym is no common noun, however local (SPD, FDP): translations keep it.
            local = not acronym and z >= params.local_min_zipf and english < z - params.local_margin
            if not local and z < params.local_min_zipf and capitalized and params.compounds:
                local = _compound(lower, lang, params)
            z = max(z, english)
        elif english >= params.english_known:
            z = english
    if z is None:
        # No word list for this language: capitalization is the only evidence of a name.
        is_anchor = capitalized and case_is_evidence if has_case else False
    elif has_case:
        is_anchor = capitalized and z < (
            params.name_max_zipf if case_is_evidence else params.initial_name_max_zipf
        )
    else:
        is_anchor = z < params.caseless_max_zipf
    if not is_anchor:
        return None
    common = not has_case and z >= params.caseless_rare
    return Anchor(key=key, label=latin, weight=_name_weight(z), local=local, common=common)


@lru_cache(maxsize=1 << 18)
def _compound(lower: str, lang: str | None, params: AnchorParams) -> bool:
    """Whether a word is two words of the language joined (see compound_min_tail)."""

    def known(part: str) -> bool:
        return (zipf(part, lang) or 0.0) >= params.compound_part_zipf

    for cut in range(params.compound_min_head, len(lower) - params.compound_min_tail + 1):
        head, tail = lower[:cut], lower[cut:]
        if known(tail) and (known(head) or (head[-1] == "s" and known(head[:-1]))):
            return True
    return False


# Katakana spells w as u before a vowel (ウィリアム uiriamu, コロナウイルス koronauirusu): back to
# the sound of the name. (Its n before a labial, トランプ toranpu, is the skeleton's business.)
_KATAKANA_W = re.compile(r"(?:^|(?<=[aeiou]))u(?=[aeio])")


def _katakana_latin(raw: str, params: AnchorParams) -> str:
    # The small ッ doubles the next consonant (ショッピング: shopping); anyascii writes it "t"
    # whatever follows, which would put a t in the skeleton (shtp for shpn).
    latin = translit(raw.replace("ッ", ""))
    return _KATAKANA_W.sub("w", latin) if params.katakana_w else latin


@lru_cache(maxsize=1 << 16)
def _katakana_anchor(raw: str, params: AnchorParams) -> Anchor | None:
    # Katakana writes foreign names and loanwords; the common loanwords (テレビ) are filtered.
    # Runs unknown to the word list are mostly compounds of several words (survival 0.19
    # against 0.45 for known ones), so they weigh less.
    z = zipf(raw, "ja")
    if z is not None and z >= params.katakana_max_zipf:
        return None
    latin = _katakana_latin(raw, params)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=1.5 if not z else 3.0)


# Katakana runs unknown to the word list are mostly compounds written without a break (a run
# for "double cream" or "lounge wear"), which the other language writes as separate words: their
# parts known to the word list are anchors too, weighed like unknown runs (a part of a compound
# is less specific than the compound).
@lru_cache(maxsize=1 << 16)
def _katakana_split(raw: str, min_part: int) -> tuple[str, ...]:
    """The parts of a katakana run that are words of the Japanese word list, left to right
    (longest known left part first); () when the run cannot be cut into known words."""
    if zipf(raw, "ja"):
        return (raw,)
    for cut in range(len(raw) - min_part, min_part - 1, -1):
        left = raw[:cut]
        if zipf(left, "ja"):
            rest = _katakana_split(raw[cut:], min_part)
            if rest:
                return (left, *rest)
    return ()


@lru_cache(maxsize=1 << 16)
def _katakana_parts(raw: str, params: AnchorParams) -> tuple[Anchor, ...]:
    if not params.katakana_parts or zipf(raw, "ja") or len(raw) < 2 * params.min_katakana_part:
        return ()
    parts = _katakana_split(raw, params.min_katakana_part)
    found = (_katakana_anchor(p, params) for p in parts) if len(parts) > 1 else ()
    weight = params.katakana_part_weight
    return tuple(Anchor(a.key, a.label, weight) for a in found if a is not None)


# Chinese writes foreign names by sound, with a small set of characters (Xinhua's
# transliteration table: 尼克松 Nixon, 特朗普 Trump, 拿破仑 Napoleon). Runs of two or more of
# them that hold at least one character rarely used outside names are read as names, in pinyin
# (anyascii), so they meet the Latin spelling's skeleton; common words built only of such
# characters (东西, 马上) lack a marker. Simplified and traditional forms.
_PHONETIC_MARKERS = (
    "斯尔爾尼亚亞莱萊娜丝絲奥奧乌烏兹茲姆茨霍普朗维維伊塞萨薩蒂洛纳納瓦卡吉凯凱杰傑罗羅伦倫"
    "顿頓逊遜莎妮琳莉蕾玛瑪迈邁默穆诺諾欧歐帕佩珀恰乔喬琼瓊瑟泰汀韦韋沃锡錫耶詹贾賈赫亨柯肯"
    "奎赖賴拜鲍鮑贝貝彼宾賓伯博迪厄弗盖蓋冈岡戈圭夸昆勒涅纽紐瑙庞龐彭桑绍紹汤湯坦翁伍扎卓佐"
    "克特拉兰蘭仑侖撒什"
)
_PHONETIC_OTHERS = (
    "阿艾埃安昂巴班邦保本比毕畢波布查柴达達戴丹道德丁东東杜多法凡范菲费費芬丰豐伏福富甘高哥"
    "格根贡貢古哈海汉漢豪黑洪胡华華怀懷惠基加金坎康考科库庫劳勞雷里利丽麗连連列林留隆卢盧鲁魯"
    "路马馬麦麥曼芒毛梅门門蒙孟米密敏明摩莫南内內宁寧努派潘皮奇齐齊切钦欽丘赛賽森沙山尚舍申圣"
    "聖施史舒松苏蘇索塔唐陶提通图圖托万萬旺威温溫文武西希席夏谢謝辛休修雅扬揚叶葉因英尤于约"
    "約泽澤朱拿破"
)
_PHONETIC_RUN = re.compile(f"[{_PHONETIC_MARKERS}{_PHONETIC_OTHERS}]{{2,}}")
_PHONETIC_MARKER = re.compile(f"[{_PHONETIC_MARKERS}]")
# Pinyin writes the nasal of the syllable end as "ng" (特朗普 te-lang-pu: Trump).
_PINYIN_NG = re.compile(r"ng")


@lru_cache(maxsize=1 << 16)
def _phonetic_han_anchor(run: str, params: AnchorParams) -> Anchor | None:
    if not _PHONETIC_MARKER.search(run):
        return None
    latin = _PINYIN_NG.sub("n", translit(run))
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=params.phonetic_han_weight)


@lru_cache(maxsize=1 << 16)
def _clitic_anchors(raw: str, lang: str, cased: bool, params: AnchorParams) -> tuple[Anchor, ...]:
    """The anchors of raw without each prefix it may begin with (languages.Language.clitics).
    Where the text writes one of them without prefixes elsewhere, the word is that name
    (fingerprint()); else they are kept marked (kinds.clitic_key), matched only against a name
    of the other text left unmatched: what is a prefix and what the name's first letter is
    only known once they match."""
    found: dict[str, Anchor] = {}
    for prefix in clitics(lang):
        if raw.startswith(prefix) and len(raw) - len(prefix) >= MIN_SKELETON:
            anchor = _word_anchor(raw[len(prefix) :], lang, True, cased, params)
            if anchor is not None:
                found.setdefault(anchor.key, anchor)
    return tuple(found.values())


def _phonetic_han_anchors(
    text: str, places: list[tuple[int, int]], params: AnchorParams
) -> list[Anchor]:
    """places: the character spans of places' names, anchored already (乌克兰 is written by
    sound too, but read as a sound it would not meet Ukraine)."""
    runs = _PHONETIC_RUN.finditer(text)
    found = (
        _phonetic_han_anchor(m.group(), params)
        for m in runs
        if not any(start < m.end() and m.start() < end for start, end in places)
    )
    return [a for a in found if a is not None]


def _inner_word(
    raw: str, lang: str | None, cased: bool, params: AnchorParams
) -> tuple[Anchor | None, int, int]:
    """A word inside a sentence: its anchor, and (1, 1 if capitalized) when it is a common word
    of a cased script, (0, 0) otherwise (whether the language capitalizes common nouns)."""
    anchor = _word_anchor(raw, lang, True, cased, params)
    lower = raw.lower()
    z = zipf(lower, lang) if lower != raw.upper() else None
    if z is None or z < params.common_zipf:
        return anchor, 0, 0
    return anchor, 1, int(raw[0].isupper())


class _Word(NamedTuple):
    """A word token as extract_anchors reads it, the same wherever it stands in a sentence but
    for a month's name (or suffix), which its neighbours make a date part."""

    unit: str  # the lexical unit: the word in lowercase
    # Its anchor, with the loanword's and the bare name's (_completed); a month's name is left
    # to _dated, then _completed.
    anchor: Anchor | None
    common: int  # see _inner_word (0 for a sentence's first word)
    capitalized: int
    month: bool


@lru_cache(maxsize=1 << 18)
def _word(raw: str, lang: str | None, cased: bool, first: bool, params: AnchorParams) -> _Word:
    """What a word is, first in its sentence or inside it (name, common word, month, loanword,
    prefixes), cached: most tokens of a text are words met before, and cost one lookup."""
    if first:
        # The first word of a sentence is capitalized whatever it is.
        anchor, common, capitalized = _word_anchor(raw, lang, False, cased, params), 0, 0
    else:
        anchor, common, capitalized = _inner_word(raw, lang, cased, params)
    month = params.months and (raw in MONTH_SUFFIXES or month_of(raw, lang) is not None)
    if not month:
        anchor = _completed(anchor, raw, lang, cased, params)
    return _Word(raw.lower(), anchor, common, capitalized, month)


def _completed(
    anchor: Anchor | None, raw: str, lang: str | None, cased: bool, params: AnchorParams
) -> Anchor | None:
    """A word's anchor, or its loanword anchor where it has none; with its anchors without
    prefixes where the language has clitics."""
    if anchor is None and params.loanwords and not writes_loanwords_by_sound(lang):
        anchor = _loan_anchor(raw, lang, params)
    if anchor is not None and clitics(lang):
        bare = _clitic_anchors(raw, lang, cased, params)
        if bare:
            anchor = replace(anchor, bare=bare)
    return anchor


def _dated(
    tokens: list[re.Match], i: int, anchor: Anchor | None, lang: str | None, params: AnchorParams
) -> Anchor | None:
    """A month's name (or suffix) at tokens[i]: next to a number, the date part; else the
    word's own anchor."""
    raw = tokens[i].group()
    if raw in MONTH_SUFFIXES:
        return _suffix_month(tokens, i, params) or anchor
    month = month_of(raw, lang)
    if month and _next_to_number(tokens, i):
        return Anchor(month_key(month), raw, params.month_weight)
    return anchor


def _next_to_number(tokens: list[re.Match], i: int) -> bool:
    return (i > 0 and tokens[i - 1].lastgroup == "num") or (
        i + 1 < len(tokens) and tokens[i + 1].lastgroup == "num"
    )


def _suffix_month(tokens: list[re.Match], i: int, params: AnchorParams) -> Anchor | None:
    """月 / 월 right after a number (3月, not 3 月): the month that number names."""
    prev = tokens[i - 1] if i else None
    if prev is None or prev.lastgroup != "num" or prev.end() != tokens[i].start():
        return None
    month = int(prev.group()) if prev.group().isdigit() else 0
    if not 1 <= month <= 12:
        return None
    return Anchor(month_key(month), tokens[i].group(), params.month_weight)


@lru_cache(maxsize=1 << 12)
def _place_anchor(place: Place, params: AnchorParams) -> Anchor:
    """A place's name in any language, keyed as its English name: the key of the English word,
    and of its adjective (Germany, German)."""
    latin = translit(place.english)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        # Too short to key by sound (Russia, China, Chile), but every language's name of the
        # place is known: keyed whole.
        key = place_key(latin)
    if place.country:
        return Anchor(key=key, label=place.english, weight=params.country_weight)
    z = max(zipf(word, "en") or 0.0 for word in place.english.lower().split())
    return Anchor(key=key, label=place.english, weight=_name_weight(z))


def _shouted(tokens: list[re.Match], params: AnchorParams) -> bool:
    """A sentence written in capitals (a product page's selling points, a shouted headline):
    its capitals are no acronyms and tell no names."""
    upper = cased = 0
    for m in tokens:
        raw = m.group()
        if m.lastgroup == "word" and len(raw) >= 2 and raw.lower() != raw.upper():
            cased += 1
            upper += raw.isupper()
    return upper >= params.shouted_min_words and upper >= params.shouted_share * cased


def extract_anchors(
    sentence: str, lang: str | None, cased: bool = True, params: AnchorParams = ANCHORS
) -> SentenceAnchors:
    """cased=False reads a cased script as a caseless one (rarity alone tells names): for a text
    that writes no capitals at all, a chat or a post typed in lowercase."""
    units: list[str] = []
    anchors: list[Anchor] = []
    first_word = True
    inner_words = inner_capitalized = katakana = 0
    text = normalize_text(sentence)
    tokens = list(TOKEN.finditer(text))  # a month is told by its neighbours
    if cased and _shouted(tokens, params):
        cased = False
    table = place_names(lang) if params.places else None
    place_end = 0  # the tokens before it are part of a place's name, anchored as such
    places: list[tuple[int, int]] = []  # their character spans
    for i, m in enumerate(tokens):
        kind, raw = m.lastgroup, m.group()
        if kind in ("kata", "han"):
            # A Latin-script word after CJK characters is inside the sentence (苹果的iPhone).
            first_word = False
        # A place's name is capitalized where the script has case.
        may_name = i >= place_end and kind != "num" and not (cased and raw[0].islower())
        if table and may_name and (place := place_at(tokens, i, table)) is not None:
            anchors.append(_place_anchor(place[0], params))
            place_end = place[1]
            places.append((m.start(), tokens[place_end - 1].end()))
        if i < place_end:
            # Its units as elsewhere: a word whole, CJK characters one by one.
            units.extend([raw.lower()] if kind == "word" else raw)
            first_word = False
            continue
        if kind == "num":
            keys = number_keys(raw)
            units.extend(keys)
            anchors.extend(Anchor(number_key(k), raw, _number_weight(k)) for k in keys)
        elif kind == "word":
            word = _word(raw, lang, cased, first_word, params)
            units.append(word.unit)
            if not first_word:
                inner_words += word.common
                inner_capitalized += word.capitalized
            first_word = False
            anchor = word.anchor
            if word.month:
                anchor = _completed(
                    _dated(tokens, i, anchor, lang, params), raw, lang, cased, params
                )
            if anchor is not None:
                anchors.append(anchor)
        elif kind == "kata":
            units.extend(raw)
            anchor = _katakana_anchor(raw, params)
            if anchor is not None:
                anchors.append(anchor)
                katakana += 1
                parts = _katakana_parts(raw, params)
                anchors.extend(parts)
                katakana += len(parts)
        else:  # han / hiragana: one unit per character, as CJK has no spaces
            units.append(raw)
            if params.months and raw in MONTH_SUFFIXES:
                month_anchor = _suffix_month(tokens, i, params)
                if month_anchor is not None:
                    anchors.append(month_anchor)
    if params.phonetic_han and reads_han_by_sound(lang):
        anchors.extend(_phonetic_han_anchors(text, places, params))
    return SentenceAnchors(tuple(units), tuple(anchors), inner_words, inner_capitalized, katakana)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by py3langid, from its first few thousand chars."""
    sample = text[:3000].strip()
    if not sample:
        return None
    from py3langid.langid import classify  # deferred: loading the model takes a moment

    lang, _ = classify(sample)
    return lang
