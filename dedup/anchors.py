"""Anchors: the tokens of a sentence that survive translation, keyed so that the same name or
number written in another language and script gets the same key."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from dedup.months import MONTH_SUFFIXES, month_key, month_of
from dedup.normalize import TOKEN, normalize_text, number_keys, skeleton, translit
from dedup.places import Place, place_at, place_names
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
# Scripts without case (Arabic, Hebrew, Indic, Hangul) tell a name from a word by rarity alone:
# their words are anchors below CASELESS_MAX_ZIPF, as capitalized words are, since the names
# news repeats most are as common as words (Trump 4.4 in Arabic, Russia 4.7 in Hindi). Those
# of Zipf CASELESS_RARE and more are Anchor.common. Measured on the corpus' Russian and
# Ukrainian articles lowercased (bench/quality.py --lowercase ru,uk; docs/quality.md, "Caseless
# scripts"): long alphabetic recall 0.888 (tune) / 0.824 (check) with a ceiling of 3.5 for all,
# 0.901 / 0.853 with these, no new false positive.
CASELESS_MAX_ZIPF = NAME_MAX_ZIPF
CASELESS_RARE = 3.5
KATAKANA_MAX_ZIPF = 4.5
ENGLISH_KNOWN = 3.0  # in a language without word list, a word this common in English is English
# Chinese names read by sound are weighed like katakana runs unknown to the word list: a run of
# transliteration characters is sometimes an ordinary word.
PHONETIC_HAN_WEIGHT = 1.5
# A Latin-script word of Zipf >= LOCAL_MIN_ZIPF in its language and LOCAL_MARGIN (30 times)
# rarer in English is a local word (Anchor.local). From Zipf 3 on: a German spelling of a place
# (Wladiwostok 2.8, Sachalin 2.2) is rare in German too, and is a name to sign.
LOCAL_MARGIN = 1.5
LOCAL_MIN_ZIPF = 3.0
# A capitalized word the word list doesn't know, made of two words it does (Blut+belastung,
# Gesundheits+ministerium, with the linking s), is a compound noun: local too. German writes
# them as one capitalized word where French and English write several lowercase ones: signed,
# they keep a German text's anchor set far from its French original's, which has a handful of
# names. The tail is at least COMPOUND_MIN_TAIL letters: names end in short words (Rosen+berg,
# Lauter+bach, Wolfs+burg) more often than compounds do. Measured over seeds 3-5: +3 long
# alphabetic pairs on tune (seed 5), +3 on check, none lost (docs/quality.md).
COMPOUND_MIN_HEAD = 3
COMPOUND_MIN_TAIL = 5
COMPOUND_PART_ZIPF = 3.0
# A sentence with at least this many words in capitals, and this share of its cased words, is
# written in capitals (_shouted): product pages shout their selling points ("AMÉLIORE LA
# CIRCULATION SANGUINE"), and each word was an acronym, an anchor of weight 3 that no
# translation keeps, in the anchor signature. Read as a caseless script, rarity alone picks its
# anchors, and a name in a shouted headline keeps the key it has elsewhere. Long alphabetic
# pairs: +1 on the tune halves of seeds 3 and 5, none lost (a first version was alike at 2 to
# 4 words and 0.5 to 0.7).
SHOUTED_MIN_WORDS = 3
SHOUTED_SHARE = 0.6
COMMON_ZIPF = 3.5  # a word this frequent is a common word (for noun capitalization, see below)
# Japanese writes loanwords by sound in katakana, where English and other Latin-script languages
# write them as lowercase words (collagen / コラーゲン): a lowercase word of a Latin-script text is
# a loanword anchor, keyed LOAN + skeleton, that the verifier matches only against an anchor of a
# text in such a language, or a capitalized noun of a text that capitalizes its nouns (German
# Qualität / French qualité; see verify._shared). Rarer than LOAN_MAX_ZIPF: common words get
# translated, not borrowed. Weighed 1.0 (1.5 let an article on the same event through: shared
# coronavirus-era loanwords). Korean writes loanwords by sound too, but its anchors are all rare
# words (with their particles), far more than a Japanese text's katakana runs: not measured, so
# not included.
LOANWORD_LANGS = frozenset({"ja"})
LOAN = "~"
LOAN_MAX_ZIPF = 5.0
LOAN_WEIGHT = 1.0
# Arabic and Hebrew write "and", "the", "in", "to", "from" as prefixes of the next word
# (وكورساكوف and Korsakov, לסחלין to Sakhalin), which changes the key of a name. An anchor of
# theirs that begins with such prefixes carries the anchors of the word without them
# (Anchor.bare). Where one of those is an anchor of the text elsewhere, the word is that name
# (fingerprint()); otherwise they are kept keyed CLITIC + key, which the verifier matches only
# against a name of the other text left unmatched, and which count neither in their article's
# anchor weight nor in its anchor signature: what is a prefix and what is the name's first
# letter is only known once they match.
CLITIC = "^"
_CLITICS = {
    "ar": ("و", "ف", "ب", "ك", "ل", "ال", "وال", "فال", "بال", "كال", "لل", "ول", "وب", "فل"),
    "he": ("ו", "ה", "ב", "כ", "ל", "מ", "ש", "וה", "וב", "ול", "ומ", "וש", "שה", "מה", "כש"),
}
CLITIC_LANGS = frozenset(_CLITICS)
# Anchors that count only when matched (loanwords, names without their prefixes).
MATCH_ONLY = LOAN + CLITIC
# A month named next to a number (March 5, 5 марта, 3月) is a date part: it survives translation
# like a number, and like a single digit it is one of a few values, shared by chance by articles
# of the same weeks: it weighs as much. The verifier does not count it towards its minimum
# evidence (a date is evidence of an event, not of a text).
MONTH_WEIGHT = 1.0
# A place's name in any language is keyed as its English name (dedup/places.py): where a
# person's name is transliterated, a country or a city is renamed (Deutschland, Allemagne,
# Þýskaland, 德国; Londres, 伦敦). News names a handful of countries again and again, and
# articles on one story the same ones: they weigh as little as a month. Weighed like other
# names, by their rarity in English, or at 1.5: the same long recall on the tune halves of seeds
# 3-5 and 2 more false positives (a German and an English article on one Huawei story met
# through Canada, Iran and China). At 1.0, long alphabetic pairs +7 on the tune halves, +4 on
# check, no new false positive. Cities are rarer and more specific: weighed like other names
# (at 1.0 as countries: long CJK pairs +1 on the tune halves instead of +4), for one short
# false positive more (two reports of one naval parade, which named the ship Minsk).
PLACE = "@"  # the key of a place whose English name is too short to key by its skeleton
COUNTRY_WEIGHT = 1.0


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
    # A word of a caseless script about as common as the commonest names (CASELESS_RARE): for
    # the verifier, where the other text's anchors decide whether it is a name, but out of the
    # anchor signature, which a text's common words would flood (fingerprint()).
    common: bool = False
    bare: tuple[Anchor, ...] = ()  # the word without its prefixes (see CLITIC)


@dataclass(frozen=True)
class SentenceAnchors:
    units: tuple[str, ...]  # lexical units (lowercase words, numbers, CJK characters)
    anchors: tuple[Anchor, ...]
    # Common words (Zipf >= COMMON_ZIPF) of a cased script after the first of the sentence,
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
def _loan_anchor(raw: str, lang: str | None) -> Anchor | None:
    """A lowercase Latin-script word that a Japanese translation may keep by sound."""
    if not raw.islower() or not _is_latin(raw):
        return None
    z = zipf(raw, lang)
    if z is None:  # no word list for the language: the word is likely English
        z = zipf(raw, "en")
    if z is None or z >= LOAN_MAX_ZIPF:
        return None
    latin = translit(raw)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=LOAN + key, label=latin, weight=LOAN_WEIGHT)


_NOT_LATIN = re.compile("[^\x00-\u024f]")  # beyond Latin Extended-B


def _is_latin(word: str) -> bool:
    # One regex search: a generator over the characters was a tenth of fingerprinting.
    return word.isascii() or _NOT_LATIN.search(word) is None


@lru_cache(maxsize=1 << 18)
def _word_anchor(raw: str, lang: str | None, case_is_evidence: bool, cased: bool) -> Anchor | None:
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
    key = "=" + latin if acronym else skeleton(latin)[:PREFIX]
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
            local = not acronym and z >= LOCAL_MIN_ZIPF and english < z - LOCAL_MARGIN
            if not local and z < LOCAL_MIN_ZIPF and capitalized:
                local = _compound(lower, lang)
            z = max(z, english)
        elif english >= ENGLISH_KNOWN:
            z = english
    if z is None:
        # No word list for this language: capitalization is the only evidence of a name.
        is_anchor = capitalized and case_is_evidence if has_case else False
    elif has_case:
        is_anchor = capitalized and z < (
            NAME_MAX_ZIPF if case_is_evidence else INITIAL_NAME_MAX_ZIPF
        )
    else:
        is_anchor = z < CASELESS_MAX_ZIPF
    if not is_anchor:
        return None
    common = not has_case and z >= CASELESS_RARE
    return Anchor(key=key, label=latin, weight=_name_weight(z), local=local, common=common)


@lru_cache(maxsize=1 << 18)
def _compound(lower: str, lang: str | None) -> bool:
    """Whether a word is two words of the language joined (see COMPOUND_MIN_TAIL)."""

    def known(part: str) -> bool:
        return (zipf(part, lang) or 0.0) >= COMPOUND_PART_ZIPF

    for cut in range(COMPOUND_MIN_HEAD, len(lower) - COMPOUND_MIN_TAIL + 1):
        head, tail = lower[:cut], lower[cut:]
        if known(tail) and (known(head) or (head[-1] == "s" and known(head[:-1]))):
            return True
    return False


# Katakana spells w as u before a vowel (ウィリアム uiriamu, コロナウイルス koronauirusu): back to
# the sound of the name. (Its n before a labial, トランプ toranpu, is the skeleton's business.)
_KATAKANA_W = re.compile(r"(?:^|(?<=[aeiou]))u(?=[aeio])")


def _katakana_latin(raw: str) -> str:
    # The small ッ doubles the next consonant (ショッピング: shopping); anyascii writes it "t"
    # whatever follows, which would put a t in the skeleton (shtp for shpn).
    return _KATAKANA_W.sub("w", translit(raw.replace("ッ", "")))


@lru_cache(maxsize=1 << 16)
def _katakana_anchor(raw: str) -> Anchor | None:
    # Katakana writes foreign names and loanwords; the common loanwords (テレビ) are filtered.
    # Runs unknown to the word list are mostly compounds of several words (survival 0.19
    # against 0.45 for known ones), so they weigh less.
    z = zipf(raw, "ja")
    if z is not None and z >= KATAKANA_MAX_ZIPF:
        return None
    latin = _katakana_latin(raw)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=1.5 if not z else 3.0)


# Katakana runs unknown to the word list are mostly compounds written without a break (a run
# for "double cream" or "lounge wear"), which the other language writes as separate words: their
# parts known to the word list are anchors too, weighed like unknown runs (a part of a compound
# is less specific than the compound).
MIN_KATAKANA_PART = 2
KATAKANA_PART_WEIGHT = 1.5


@lru_cache(maxsize=1 << 16)
def _katakana_split(raw: str) -> tuple[str, ...]:
    """The parts of a katakana run that are words of the Japanese word list, left to right
    (longest known left part first); () when the run cannot be cut into known words."""
    if zipf(raw, "ja"):
        return (raw,)
    for cut in range(len(raw) - MIN_KATAKANA_PART, MIN_KATAKANA_PART - 1, -1):
        left = raw[:cut]
        if zipf(left, "ja"):
            rest = _katakana_split(raw[cut:])
            if rest:
                return (left, *rest)
    return ()


@lru_cache(maxsize=1 << 16)
def _katakana_parts(raw: str) -> tuple[Anchor, ...]:
    if zipf(raw, "ja") or len(raw) < 2 * MIN_KATAKANA_PART:
        return ()
    parts = _katakana_split(raw)
    found = (_katakana_anchor(p) for p in parts) if len(parts) > 1 else ()
    return tuple(Anchor(a.key, a.label, KATAKANA_PART_WEIGHT) for a in found if a is not None)


# Chinese writes foreign names by sound, with a small set of characters (Xinhua's
# transliteration table: 尼克松 Nixon, 特朗普 Trump, 拿破仑 Napoleon). Runs of two or more of
# them that hold at least one character rarely used outside names are read as names, in pinyin
# (anyascii), so they meet the Latin spelling's skeleton; common words built only of such
# characters (东西, 马上) lack a marker. Simplified and traditional forms.
_PHONETIC_HAN_LANGS = frozenset({"zh"})
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
def _phonetic_han_anchor(run: str) -> Anchor | None:
    if not _PHONETIC_MARKER.search(run):
        return None
    latin = _PINYIN_NG.sub("n", translit(run))
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        return None
    return Anchor(key=key, label=latin, weight=PHONETIC_HAN_WEIGHT)


@lru_cache(maxsize=1 << 16)
def _clitic_anchors(raw: str, lang: str, cased: bool) -> tuple[Anchor, ...]:
    """The anchors of raw without each prefix it may begin with (see CLITIC)."""
    found: dict[str, Anchor] = {}
    for prefix in _CLITICS[lang]:
        if raw.startswith(prefix) and len(raw) - len(prefix) >= MIN_SKELETON:
            anchor = _word_anchor(raw[len(prefix) :], lang, True, cased)
            if anchor is not None:
                found.setdefault(anchor.key, anchor)
    return tuple(found.values())


def _phonetic_han_anchors(text: str, places: list[tuple[int, int]]) -> list[Anchor]:
    """places: the character spans of places' names, anchored already (乌克兰 is written by
    sound too, but read as a sound it would not meet Ukraine)."""
    runs = _PHONETIC_RUN.finditer(text)
    found = (
        _phonetic_han_anchor(m.group())
        for m in runs
        if not any(start < m.end() and m.start() < end for start, end in places)
    )
    return [a for a in found if a is not None]


@lru_cache(maxsize=1 << 18)
def _inner_word(raw: str, lang: str | None, cased: bool) -> tuple[Anchor | None, int, int]:
    """A word inside a sentence: its anchor, and (1, 1 if capitalized) when it is a common word
    of a cased script, (0, 0) otherwise (whether the language capitalizes common nouns)."""
    anchor = _word_anchor(raw, lang, True, cased)
    lower = raw.lower()
    z = zipf(lower, lang) if lower != raw.upper() else None
    if z is None or z < COMMON_ZIPF:
        return anchor, 0, 0
    return anchor, 1, int(raw[0].isupper())


def _next_to_number(tokens: list[re.Match], i: int) -> bool:
    return (i > 0 and tokens[i - 1].lastgroup == "num") or (
        i + 1 < len(tokens) and tokens[i + 1].lastgroup == "num"
    )


def _suffix_month(tokens: list[re.Match], i: int) -> Anchor | None:
    """月 / 월 right after a number (3月, not 3 月): the month that number names."""
    prev = tokens[i - 1] if i else None
    if prev is None or prev.lastgroup != "num" or prev.end() != tokens[i].start():
        return None
    month = int(prev.group()) if prev.group().isdigit() else 0
    return Anchor(month_key(month), tokens[i].group(), MONTH_WEIGHT) if 1 <= month <= 12 else None


@lru_cache(maxsize=1 << 12)
def _place_anchor(place: Place) -> Anchor:
    """A place's name in any language, keyed as its English name: the key of the English word,
    and of its adjective (Germany, German)."""
    latin = translit(place.english)
    key = skeleton(latin)[:PREFIX]
    if len(key) < MIN_SKELETON:
        # Too short to key by sound (Russia, China, Chile), but every language's name of the
        # place is known: keyed whole.
        key = PLACE + latin
    if place.country:
        return Anchor(key=key, label=place.english, weight=COUNTRY_WEIGHT)
    z = max(zipf(word, "en") or 0.0 for word in place.english.lower().split())
    return Anchor(key=key, label=place.english, weight=_name_weight(z))


def _shouted(tokens: list[re.Match]) -> bool:
    """A sentence written in capitals (a product page's selling points, a shouted headline):
    its capitals are no acronyms and tell no names."""
    upper = cased = 0
    for m in tokens:
        raw = m.group()
        if m.lastgroup == "word" and len(raw) >= 2 and raw.lower() != raw.upper():
            cased += 1
            upper += raw.isupper()
    return upper >= SHOUTED_MIN_WORDS and upper >= SHOUTED_SHARE * cased


def extract_anchors(sentence: str, lang: str | None, cased: bool = True) -> SentenceAnchors:
    """cased=False reads a cased script as a caseless one (rarity alone tells names): for a text
    that writes no capitals at all, a chat or a post typed in lowercase."""
    units: list[str] = []
    anchors: list[Anchor] = []
    first_word = True
    inner_words = inner_capitalized = katakana = 0
    text = normalize_text(sentence)
    loans = lang not in LOANWORD_LANGS
    tokens = list(TOKEN.finditer(text))  # a month is told by its neighbours
    if cased and _shouted(tokens):
        cased = False
    table = place_names(lang)
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
            anchors.append(_place_anchor(place[0]))
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
            anchors.extend(Anchor("#" + k, raw, _number_weight(k)) for k in keys)
        elif kind == "word":
            units.append(raw.lower())
            if first_word:
                # The first word of a sentence is capitalized whatever it is.
                anchor = _word_anchor(raw, lang, False, cased)
                first_word = False
            else:
                anchor, common, capitalized = _inner_word(raw, lang, cased)
                inner_words += common
                inner_capitalized += capitalized
            if raw in MONTH_SUFFIXES:
                anchor = _suffix_month(tokens, i) or anchor
            elif (month := month_of(raw, lang)) is not None and _next_to_number(tokens, i):
                # A month next to a number is a date part, not a name.
                anchor = Anchor(month_key(month), raw, MONTH_WEIGHT)
            if anchor is None and loans:
                anchor = _loan_anchor(raw, lang)
            if anchor is not None:
                bare = _clitic_anchors(raw, lang, cased) if lang in _CLITICS else ()
                if bare:
                    anchor = replace(anchor, bare=bare)
                anchors.append(anchor)
        elif kind == "kata":
            units.extend(raw)
            anchor = _katakana_anchor(raw)
            if anchor is not None:
                anchors.append(anchor)
                katakana += 1
                parts = _katakana_parts(raw)
                anchors.extend(parts)
                katakana += len(parts)
        else:  # han / hiragana: one unit per character, as CJK has no spaces
            units.append(raw)
            if raw in MONTH_SUFFIXES:
                month_anchor = _suffix_month(tokens, i)
                if month_anchor is not None:
                    anchors.append(month_anchor)
    if lang in _PHONETIC_HAN_LANGS:
        anchors.extend(_phonetic_han_anchors(text, places))
    return SentenceAnchors(tuple(units), tuple(anchors), inner_words, inner_capitalized, katakana)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by py3langid, from its first few thousand chars."""
    sample = text[:3000].strip()
    if not sample:
        return None
    from py3langid.langid import classify  # deferred: loading the model takes a moment

    lang, _ = classify(sample)
    return lang
