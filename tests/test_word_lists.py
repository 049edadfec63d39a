"""Word lists as hash tables memory-mapped from the user's cache: every word of wordfreq's list
gets the frequency wordfreq's dict gives it, fingerprints do not change, the cache is built
once (by one of the processes that ask for it at once), and an unusable cache falls back to
wordfreq's dict."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import wordfreq

from crawler import word_lists
from crawler.cache import cached_arrays
from dedup import Document, rarity
from dedup.fingerprint import fingerprint

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


@pytest.fixture
def dict_lists():
    """wordfreq's dicts in this test (whatever the process installed), and after it the source
    the process had."""
    before = rarity._source
    rarity.use_word_lists(None)
    yield
    rarity.use_word_lists(before)


@pytest.mark.parametrize("code", ["en", "ru"])
def test_every_word_has_wordfreqs_frequency_and_other_words_none(tmp_path, code):
    words = wordfreq.get_frequency_dict(code, wordlist="best")
    hashed = word_lists.cached_word_list(code, tmp_path)
    assert hashed is not None
    assert [w for w, freq in words.items() if hashed.get(w) != freq] == []
    others = [w + suffix for w in list(words)[:5000] for suffix in ("qzx", "\u0301\u0301")]
    assert [w for w in others if hashed.get(w) != words.get(w)] == []


def test_fingerprints_are_the_same_with_either_word_list(dict_lists):
    # Eight languages of six scripts, cased and caseless, with and without spaces.
    langs = {"en", "de", "fr", "ru", "ar", "hi", "ja", "zh"}
    texts = [path for path in sorted(FIXTURES.glob("*.txt")) if path.stem[-2:] in langs]
    assert {path.stem[-2:] for path in texts} == langs

    def prints() -> list[bytes | None]:
        found = []
        for path in texts:
            fp = fingerprint(Document(path.read_text("utf-8"), path.stem[-2:]))
            found.append(None if fp is None else fp.to_bytes())
        return found

    by_dict = prints()
    word_lists.keep_word_lists()  # in the user's cache, as `match` keeps them
    _clear_word_caches()
    assert isinstance(rarity._frequencies("fr"), rarity.HashedWordList)
    assert prints() == by_dict
    _clear_word_caches()


def _clear_word_caches() -> None:
    # The anchors' per-word caches hold what the other word list said.
    from dedup import anchors

    names = ("_word", "_word_anchor", "_loan_anchor", "_clitic_anchors", "_compound")
    for name in (*names, "_katakana_anchor"):
        getattr(anchors, name).cache_clear()


def test_a_list_is_built_once_then_mapped(tmp_path):
    assert word_lists.cached_word_list("ja", tmp_path) is not None
    (directory,) = (path for path in tmp_path.iterdir() if not path.name.startswith("."))
    files = {path.name: path.stat().st_ino for path in directory.iterdir()}
    assert sorted(files) == sorted(f"{name}.npy" for name in rarity.WORD_LIST_ARRAYS)
    assert word_lists.cached_word_list("ja", tmp_path).get("テレビ") is not None
    assert {path.name: path.stat().st_ino for path in directory.iterdir()} == files


def test_a_cache_that_cannot_be_written_falls_back_to_wordfreqs_dict(tmp_path, dict_lists):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    assert word_lists.cached_word_list("de", blocked) is None
    rarity.use_word_lists(lambda code: word_lists.cached_word_list(code, blocked))
    assert rarity._frequencies("de") is wordfreq.get_frequency_dict("de", wordlist="best")
    freq = wordfreq.get_frequency_dict("de", wordlist="best")["haus"]
    assert rarity.zipf("Haus", "de") == math.log10(freq) + 9.0


def test_processes_that_ask_at_once_wait_for_one_build(tmp_path):
    builds = []

    def build() -> dict[str, np.ndarray]:
        builds.append(threading.get_ident())
        time.sleep(0.3)  # long enough for the others to find the cache missing
        return {"values": np.arange(5)}

    with ThreadPoolExecutor(3) as pool:  # each opens the lock file on its own, as a process does
        found = list(pool.map(lambda _: cached_arrays("shared", build, tmp_path), range(3)))
    assert len(builds) == 1
    assert [arrays["values"].tolist() for arrays in found] == [[0, 1, 2, 3, 4]] * 3
