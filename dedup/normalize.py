"""Text normalization that survives translation: Unicode forms, digits of any script, number
formats, and transliteration of any script to ASCII."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Decimal digits other than ASCII ones (Devanagari ४, Arabic-Indic ٤, ...). Few texts have any:
# folded where found, so numbers compare across scripts. NFKC already handles fullwidth and
# superscript forms.
_OTHER_DIGIT = re.compile(r"[^\D0-9]")


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def normalize_text(text: str) -> str:
    """NFKC with all decimal digits folded to ASCII, and number separators to . and ,."""
    text = unicodedata.normalize("NFKC", text)
    # Arabic-script texts separate decimals with U+066B and thousands with U+066C (۴۸٫۵,
    # ۱٬۲۰۰), which NFKC leaves alone. (str.translate would look up every character.)
    if "\u066b" in text or "\u066c" in text:
        text = text.replace("\u066b", ".").replace("\u066c", ",")
    return _OTHER_DIGIT.sub(_ascii_digit, text)


# Number: thousands grouped by space-like separators (17 000 in French typography, 17'000 in Swiss),
# or digit groups joined by . or , (thousands, decimals, dates).
_NUM = r"\d{1,3}(?:[ \u00a0\u202f\u2009'’]\d{3}(?!\d))+|\d+(?:[.,]\d+)*"
# The middle dot ・ (U+30FB) separates the parts of a foreign name: it ends a katakana word.
_KATAKANA = r"[\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff]+"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u309f]"
# Words: letters minus the CJK characters handled above (one negated class: a lookahead per
# character is slower), plus the combining marks that Indic, Hebrew, Arabic and Thai words are
# built with (Python's \w does not count them), but not the danda (U+0964, U+0965) that ends
# an Indic sentence. Runs of either class, so the engine loops inside a class rather than
# alternating per character; the match is the same longest run.
_LETTERS = r"[^\W\d_\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_MARKS = (
    r"[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    r"\u0900-\u0963\u0966-\u0dff\u0e31-\u0e3a\u0e47-\u0e4e]+"
)
# Inside a word: the zero-width non-joiner and joiner (Persian writes ولادی‌وستوک, Vladivostok,
# with one between its parts) and, between Hebrew letters, the geresh and gershayim (or the
# ASCII quotes typed for them) that write sounds Hebrew letters lack (קוז'מיאקו Kozhemyako) and
# mark acronyms (צה"ל).
_JOINER = r"(?:[\u200c\u200d]|(?<=[\u05d0-\u05ea])['\"\u05f3\u05f4](?=[\u05d0-\u05ea]))"
_WORD = rf"(?:{_LETTERS}|{_MARKS})+(?:{_JOINER}(?:{_LETTERS}|{_MARKS})+)*"
TOKEN = re.compile(rf"(?P<num>{_NUM})|(?P<kata>{_KATAKANA})|(?P<han>{_HAN})|(?P<word>{_WORD})")


def number_keys(raw: str) -> list[str]:
    """Format-independent identity of a number: its significant digits.

    1,000 / 1 000 / 1.000 / 1000 all give "1"; 1,5 and 1.5 give "15", so "1.5 million",
    "1,5 Millionen" and "150万" agree. Dates written with several separators whose inner groups
    are not thousands groups (05.03.2021) give their parts, as "March 5, 2021" does.
    """
    groups = re.split(r"[^\d]+", raw)
    if len(groups) > 2 and any(len(g) != 3 for g in groups[1:-1]):
        return [_significant(g) for g in groups]
    return [_significant("".join(groups))]


def _significant(digits: str) -> str:
    return digits.strip("0") or "0"


# Indic letters that anyascii reads otherwise than names are written in other scripts, read
# before it. The anusvara is a nasal sounded like the consonant after it; anyascii writes it "m"
# (गांधी gamdhi, पंजाब pmjab), where names in other scripts mostly have an n (Gandhi, Punjab,
# Chandra): it is read n, and m before a labial (see _NASAL). Tamil writes the s of foreign
# names (and of most of its own, as romanized: Salem, Sasikala) with ச, which anyascii reads c
# (சகாலின் ckalin, Sakhalin): it is read as ஸ, s. Its ch names (Chennai) lose.
_INDIC_LETTERS = str.maketrans(
    dict.fromkeys("\u0902\u0982\u0a02\u0a70\u0a82\u0b02\u0c02\u0c82\u0d02\u0d82", "n")
    | {"\u0b9a": "\u0bb8"}
)


# Hebrew and Arabic scripts write most vowels not at all, but o and u of a foreign name with
# the letter of w and v (ו, و: פנקרטוב, بانكراتوف, Pankratov): after a word's first letter it is
# read as a vowel, so that the skeleton keeps the name's consonants. Hebrew doubles it (וו)
# for a consonant.
_HEBREW_VAV = re.compile("(?<=[\u05d0-\u05ea])(?<!\u05d5)\u05d5(?!\u05d5)")
_ARABIC_WAW = re.compile("(?<=[\u0620-\u064a\u066e-\u06d3])\u0648")
# Unpointed ב and פ are b or v, p or f; anyascii writes v and f. At the start of a word Hebrew
# says b and p (Putin פוטין, Borealis בוריאליס); inside one, foreign names write both b and v
# with ב (Khabarovsk חברובסק), so it stays v there, as in the -ov of Russian names (קורסקוב).
_HEBREW_INITIAL = {"\u05d1": "b", "\u05e4": "p"}


@lru_cache(maxsize=1 << 18)
def translit(word: str) -> str:
    """Lowercase ASCII letters of a word in any script (Хабаровска -> khabarovska)."""
    word = word.translate(_INDIC_LETTERS)
    if "\u05d5" in word:
        word = _HEBREW_VAV.sub("u", word)
    if word[:1] in _HEBREW_INITIAL:
        word = _HEBREW_INITIAL[word[0]] + word[1:]
    if "\u0648" in word:
        word = _ARABIC_WAW.sub("u", word)
    return re.sub(r"[^a-z]", "", anyascii(word).lower())


# Spelling variants of one name across languages and transliteration schemes collapse onto a
# consonant skeleton: Wladiwostok/Vladivostok, Chabarowsk/Khabarovsk/habarofusuku (katakana),
# Koschemjako/Kozhemyako. Order matters: digraphs first. h joins k and g: Russian and Ukrainian
# write a foreign H as Г (Гамбург, Голливуд) and Х (kh), and a Cyrillic Г is read as h or g.
# p joins b: Arabic has no p (Putin بوتين). Merging all the labials (p, b, f, v, w) would also
# serve Hebrew's unpointed פ (p or f), but made 6 new false positives in four worlds of the
# corpus for no recall to speak of (docs/history.md; the full log in git). Bengali has no v and
# writes it with ভ, bh (ভ্লাদিভোস্তক bhladibhostk: Vladivostok), and Indic scripts write zh with
# ঝ and झ, jh (কোঝেমিয়াকো, Kozhemyako); as Hindi and English write Bhopal and Jharkhand alike,
# the rule costs their own names nothing.
_DIGRAPHS = (
    ("tsch", "ch"),
    ("tch", "ch"),
    ("sch", "sh"),
    ("zh", "sh"),
    ("ph", "f"),
    ("ck", "k"),
    ("kh", "h"),
    ("ch", "h"),
    ("th", "t"),
    ("bh", "v"),
    ("jh", "sh"),
)
_LETTERS = str.maketrans(
    {
        "w": "v",
        "f": "v",
        "p": "b",
        "c": "k",
        "q": "k",
        "x": "ks",
        "z": "s",
        "r": "l",
        "j": "y",
        "g": "k",
        "h": "k",
    }
)
_VOWELS = re.compile(r"[aeiouy]+")
# A nasal before a labial is m whatever the script writes: Trump / トランプ toranpu / 特朗普
# telangpu, Hamburg / ハンブルク hanburuku, Mumbai / मुंबई (anusvara, read n). Only there: a
# katakana or Indic m before a vowel of its own (ボトムス botomusu: bottoms) stays m.
_NASAL = re.compile(r"n(?=[pbm])")
_REPEAT = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 18)
def skeleton(latin: str) -> str:
    """Consonant skeleton of a transliterated word ("vladivostok" -> "vldvstk"); a leading vowel
    is kept as "a" so that vowel-initial names keep their first sound."""
    for old, new in _DIGRAPHS:
        latin = latin.replace(old, new)
    latin = _NASAL.sub("m", latin).translate(_LETTERS)
    head = "a" if latin[:1] in "aeiouy" and latin else ""
    return head + _REPEAT.sub(r"\1", _VOWELS.sub("", latin))
