"""What an anchor key is. A key's first character tells its kind; this module is the only one
that writes or reads that mark, so the rest of the library asks by name (is_number, ...).

The marks are part of the stored fingerprint format (FINGERPRINT_VERSION): changing one means
fingerprinting everything again.
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    NUMBER = "#"  # significant digits; a month next to a number too (dedup/months.py)
    ACRONYM = "="  # an acronym or camel-case brand, keyed whole
    PLACE = "@"  # a place whose English name is too short for a skeleton, keyed whole
    LOANWORD = "~"  # a lowercase word a Japanese or German text may keep (verify/keys.py)
    CLITIC = "^"  # an Arabic or Hebrew name without its prefixes (anchors.py)
    NAME = ""  # a name's consonant skeleton, cut at anchors.PREFIX


_BY_MARK = {kind.value: kind for kind in Kind if kind.value}


def kind_of(key: str) -> Kind:
    return _BY_MARK.get(key[0], Kind.NAME)


def number_key(digits: str) -> str:
    return Kind.NUMBER.value + digits


def acronym_key(latin: str) -> str:
    return Kind.ACRONYM.value + latin


def place_key(latin: str) -> str:
    return Kind.PLACE.value + latin


def loanword_key(skeleton: str) -> str:
    return Kind.LOANWORD.value + skeleton


def clitic_key(key: str) -> str:
    return Kind.CLITIC.value + key


def unmarked(key: str) -> str:
    """A loanword's or clitic's key without its mark: the key it meets on the other side."""
    return key[1:]


def is_number(key: str) -> bool:
    return key[0] == "#"


def is_loanword(key: str) -> bool:
    return key[0] == "~"


def is_clitic(key: str) -> bool:
    return key[0] == "^"


def is_match_only(key: str) -> bool:
    """Loanwords and names without their prefixes count only when the other text has them:
    they are in no anchor weight and no signature."""
    return key[0] in "~^"


def is_skeleton(key: str) -> bool:
    """A name keyed by its skeleton prefix: the only kind matched by a shorter prefix too."""
    return kind_of(key) is Kind.NAME


def is_spelled_name(key: str) -> bool:
    """A name as a text spells it (a skeleton or a place): what capitalization and katakana
    make uncertain (fingerprint._name_odds)."""
    return key[0] not in "#=~^"
