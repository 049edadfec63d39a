"""How rare a word is in its language (wordfreq's Zipf scale): rare words are anchors that
survive translation (names, places, terms); common words get translated and carry no signal."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from functools import cache
from typing import Protocol

import numpy as np

from dedup.languages import wordlist_code
from dedup.minhash import hash64


class WordList(Protocol):
    def get(self, word: str) -> float | None:
        """The word's frequency (0..1), None when the list does not have it."""
        ...


# HashedWordList's arrays, by name.
WORD_LIST_ARRAYS = ("hashes", "buckets", "freqs")


class HashedWordList:
    """A word list as arrays that can be memory-mapped and shared between processes: the sorted
    64-bit hashes of its words (hash64), the frequency bucket of each, and the frequency of each
    bucket. 10 bytes a word, where wordfreq's dict holds a Python string and float (about 130
    bytes, 400 MB for nine languages in each process that fingerprints)."""

    def __init__(self, hashes: np.ndarray, buckets: np.ndarray, freqs: np.ndarray) -> None:
        # Memoryviews: bisect and single reads on them are Python's own, numpy's are slower.
        self._hashes = memoryview(hashes).cast("B").cast("Q")
        self._buckets = memoryview(buckets).cast("B").cast("H")
        self._freqs = freqs.tolist()

    def get(self, word: str) -> float | None:
        h = hash64(word)
        i = bisect_left(self._hashes, h)
        if i < len(self._hashes) and self._hashes[i] == h:
            return self._freqs[self._buckets[i]]
        return None


def word_list_arrays(code: str) -> dict[str, np.ndarray]:
    """wordfreq's list of a language (its code) as HashedWordList's arrays. Each word gets the
    frequency wordfreq's own dict gives it (a word in two buckets, the later one's). ValueError
    when two words share a hash (about one chance in 10^8 for a list of a million words)."""
    import wordfreq

    buckets = wordfreq.get_frequency_list(code, wordlist="best")
    words = [word for bucket in buckets for word in bucket]
    bucket_of = np.repeat(np.arange(len(buckets), dtype="<u2"), [len(bucket) for bucket in buckets])
    hashes = np.fromiter((hash64(word) for word in words), dtype="<u8", count=len(words))
    order = np.lexsort((np.arange(len(words)), hashes))  # by hash, then by position
    hashes, bucket_of = hashes[order], bucket_of[order]
    last = np.ones(hashes.size, dtype=bool)
    last[:-1] = hashes[1:] != hashes[:-1]
    for k in np.flatnonzero(~last):
        if words[order[k]] != words[order[k + 1]]:
            raise ValueError(f"two words of the {code!r} word list share a hash")
    freqs = np.array([wordfreq.cB_to_freq(-cb) for cb in range(len(buckets))], dtype="<f8")
    return dict(zip(WORD_LIST_ARRAYS, (hashes[last], bucket_of[last], freqs), strict=True))


# Where word lists come from: a function of wordfreq's language code (use_word_lists); when
# unset or when it has none, wordfreq's dict in memory.
_source: Callable[[str], WordList | None] | None = None


def use_word_lists(source: Callable[[str], WordList | None] | None) -> None:
    """Read each language's word list from source(wordfreq's code), e.g. a HashedWordList
    memory-mapped from a cache; None, or a None from it: wordfreq's dict."""
    global _source
    if source is not _source:  # each `match` run says it again; the lists it opened stay open
        _source = source
        _frequencies.cache_clear()


@cache
def _frequencies(lang: str) -> WordList | None:
    # Imported on first use: a process that only reads stored fingerprints (the matcher's main
    # process) never pays for wordfreq's imports.
    import wordfreq

    code = wordlist_code(lang)
    if code not in wordfreq.available_languages():
        return None
    found = _source(code) if _source is not None else None
    return found if found is not None else wordfreq.get_frequency_dict(code, wordlist="best")


def zipf(word: str, lang: str | None) -> float | None:
    """Zipf frequency (0 = unseen, 7 = the commonest words) of a lowercase word, or None when the
    language is unknown to wordfreq (then callers fall back on other evidence, like case)."""
    table = _frequencies(lang) if lang else None
    if table is None:
        return None
    # wordfreq files its words casefolded: "schliesslich", Greek final sigma as "σ".
    freq = table.get(word.casefold())
    return math.log10(freq) + 9.0 if freq else 0.0
