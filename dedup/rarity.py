"""How rare a word is in its language (wordfreq's Zipf scale): rare words are anchors that
survive translation (names, places, terms); common words get translated and carry no signal."""

from __future__ import annotations

import math
from functools import cache

from dedup.languages import wordlist_code


@cache
def _frequencies(lang: str) -> dict[str, float] | None:
    # Imported on first use: a process that only reads stored fingerprints (the matcher's main
    # process) never pays for wordfreq's imports.
    import wordfreq

    code = wordlist_code(lang)
    if code not in wordfreq.available_languages():
        return None
    return wordfreq.get_frequency_dict(code, wordlist="best")


def zipf(word: str, lang: str | None) -> float | None:
    """Zipf frequency (0 = unseen, 7 = the commonest words) of a lowercase word, or None when the
    language is unknown to wordfreq (then callers fall back on other evidence, like case)."""
    table = _frequencies(lang) if lang else None
    if table is None:
        return None
    # wordfreq files its words casefolded: "schliesslich", Greek final sigma as "σ".
    freq = table.get(word.casefold())
    return math.log10(freq) + 9.0 if freq else 0.0
