"""wordfreq's word lists as hash tables memory-mapped from the user's cache (crawler/cache.py):
a process that fingerprints reads a language's list in milliseconds, where wordfreq builds a
dict of its words (0.1-0.4 s and 40-80 MB a language, in each match worker)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from crawler.cache import cached_arrays, stamp
from dedup.rarity import HashedWordList, use_word_lists, word_list_arrays


def keep_word_lists() -> None:
    """Fingerprints made in this process read the cached lists (dedup.rarity.use_word_lists)."""
    use_word_lists(cached_word_list)


def cached_word_list(code: str, root: Path | None = None) -> HashedWordList | None:
    """The list of wordfreq's language `code`, built into the cache on first use (named by the
    list file's size and time, so an upgrade builds it again); None when the cache cannot be
    written (then wordfreq's dict is used)."""
    import wordfreq

    source = Path(wordfreq.available_languages()[code])
    build = partial(word_list_arrays, code)
    try:
        return HashedWordList(**cached_arrays(f"wordfreq-{code}-{stamp(source)}", build, root))
    except (OSError, ValueError, TypeError):  # not writable; a hash collision; a stale layout
        return None
