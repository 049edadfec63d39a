"""Which anchors two fingerprints share: key tables per fingerprint, the matching of keys
across languages (exact keys, short skeletons, loanwords, names without their prefixes), and
what every comparison reads of one fingerprint, computed once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dedup.anchors import PREFIX
from dedup.fingerprint import Fingerprint
from dedup.kinds import (
    is_clitic,
    is_loanword,
    is_match_only,
    is_number,
    is_skeleton,
    is_spelled_name,
    unmarked,
)
from dedup.languages import writes_loanwords_by_sound
from dedup.months import is_month_key
from dedup.verify.params import VerifierParams

# The ids of the anchors two articles share (in a, in b), and their shared weight.
Shared = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class KeyTables:
    index: dict[str, int]  # key -> id (match-only anchors apart)
    loan: dict[str, int]  # loanword anchors, unmarked -> id
    clitic: dict[str, int]  # names without their prefixes, unmarked -> id
    short: dict[str, int]  # whole name skeletons shorter than the cut -> id
    cut: dict[str, int]  # name keys cut at PREFIX, without their last letter -> id
    is_name: np.ndarray  # bool per id: not a number
    is_month: np.ndarray  # bool per id: a month named next to a number


@lru_cache(maxsize=1 << 12)
def key_tables(keys: tuple[str, ...]) -> KeyTables:
    # Cached by keys as well as per object (derived): an article's fingerprint is parsed
    # again by every loader that meets it, with the same keys.
    short: dict[str, int] = {}
    cut: dict[str, int] = {}
    loan: dict[str, int] = {}
    clitic: dict[str, int] = {}
    for i, k in enumerate(keys):
        if is_loanword(k):
            loan[unmarked(k)] = i
        elif is_clitic(k):
            clitic.setdefault(unmarked(k), i)
        if not is_skeleton(k):
            continue
        if len(k) == PREFIX - 1:
            short.setdefault(k, i)
        elif len(k) == PREFIX:
            cut.setdefault(k[:-1], i)
    is_name = np.array([not is_number(k) for k in keys], dtype=bool)
    is_month = np.array([is_month_key(k) for k in keys], dtype=bool)
    index = {k: i for i, k in enumerate(keys) if not is_match_only(k)}
    return KeyTables(index, loan, clitic, short, cut, is_name, is_month)


@dataclass(frozen=True)
class Derived:
    """What every comparison reads of one fingerprint, computed once per fingerprint object
    (an article meets dozens of candidates) and kept in its `derived`."""

    keys: KeyTables
    occ_sentence: np.ndarray  # int64 per entry of occ: its sentence
    key_sentences: np.ndarray  # int64 per anchor id: the sentences that have it
    sentence_weights: float  # see _sentence_weights
    number_weight: float  # see _number_weight
    anchored_sentences: int  # see _anchored_sentences
    sentence_set: frozenset[int]  # the non-zero sentence hashes
    sentences: int  # sentences with lexical units


def derived(fp: Fingerprint) -> Derived:
    found = fp.derived.get(__name__)
    if found is None:
        found = fp.derived[__name__] = Derived(
            keys=key_tables(fp.keys),
            occ_sentence=_occ_sentences(fp),
            key_sentences=np.bincount(fp.occ.astype(np.int64), minlength=len(fp.keys)),
            sentence_weights=_sentence_weights(fp),
            number_weight=_number_weight(fp),
            anchored_sentences=_anchored_sentences(fp),
            sentence_set=frozenset(fp.sentence_hashes[fp.sentence_hashes != 0].tolist()),
            sentences=int(np.count_nonzero(fp.sentence_units)),
        )
    return found


def _occ_sentences(fp: Fingerprint) -> np.ndarray:
    """The sentence of each entry of fp.occ."""
    per_sentence = np.diff(fp.occ_offsets.astype(np.int64))
    return np.repeat(np.arange(fp.n_sentences), per_sentence)


def _match_only(fp: Fingerprint) -> np.ndarray:
    return np.array([is_match_only(k) for k in fp.keys], dtype=bool)


def _sentence_weights(fp: Fingerprint) -> float:
    """The anchor weight a translation of fp could keep: in a text that capitalizes common
    nouns, only the likely names among its capitalized words (fp.name_odds) count in full."""
    if not fp.occ.size:
        return 0.0
    # Loanword anchors are what a Japanese translation may keep by sound, on top of the names
    # and numbers: not weight that any translation is expected to keep; a name without its
    # prefix is counted already, as the whole word.
    total = fp.weights[fp.occ].astype(np.float64) * ~_match_only(fp)[fp.occ]
    if fp.name_odds < 1.0:
        names = np.array([is_spelled_name(k) for k in fp.keys], dtype=bool)[fp.occ]
        total[names] *= fp.name_odds
    return float(total.sum())


def _number_weight(fp: Fingerprint) -> float:
    numeric = np.array([is_number(k) for k in fp.keys], dtype=bool)
    return float(fp.weights[numeric].sum()) if numeric.size else 0.0


def _anchored_sentences(fp: Fingerprint) -> int:
    """Sentences with a name or number (match-only anchors apart, see _sentence_weights)."""
    if not fp.occ.size:
        return 0
    kept = ~_match_only(fp)[fp.occ]
    return int(np.unique(_occ_sentences(fp)[kept]).size)


def shared_anchors(a: Fingerprint, b: Fingerprint, params: VerifierParams) -> Shared:
    """Ids of the anchors both articles have (in a, in b), with their shared weight."""
    ta, tb = derived(a).keys, derived(b).keys
    ia, ib = matching_keys(ta, tb, params)
    # Loanwords written by sound (コラーゲン) against the lowercase words of a Latin-script text
    # (collagen): only between a Japanese text and one in another language.
    loans_a, loans_b = writes_loanwords_by_sound(a.lang), writes_loanwords_by_sound(b.lang)
    if loans_a != loans_b:
        if loans_a:
            _match_marked(tb.loan, ta, ib, ia)
        else:
            _match_marked(ta.loan, tb, ia, ib)
    elif a.lang != b.lang:
        # A language that capitalizes its nouns (German) writes as names what another writes
        # as lowercase words: a rare lowercase word against the other's capitalized nouns
        # (qualité / Qualität, pandemic / Pandemie). Lowercase words against lowercase words
        # would meet by topic (docs/history.md).
        if b.name_odds < 1.0 <= a.name_odds:
            _match_marked(ta.loan, tb, ia, ib)
        elif a.name_odds < 1.0 <= b.name_odds:
            _match_marked(tb.loan, ta, ib, ia)
    if a.lang != b.lang:
        # Names written with a prefix (وكورساكوف, and Korsakov) against the other's names.
        _match_marked(ta.clitic, tb, ia, ib)
        _match_marked(tb.clitic, ta, ib, ia)
    ida, idb = np.array(ia, dtype=np.int64), np.array(ib, dtype=np.int64)
    # The smaller of the two rarity weights: a word rare in one language but common in the
    # other (a false friend sharing a prefix) counts as common.
    w = np.minimum(a.weights[ida], b.weights[idb])
    if a.lang is not None and a.lang == b.lang and ida.size:
        keep = ~ta.is_name[ida] | (w >= params.same_language_min_name_weight)
        ida, idb, w = ida[keep], idb[keep], w[keep]
    return ida, idb, w


def matching_keys(
    ta: KeyTables, tb: KeyTables, params: VerifierParams
) -> tuple[list[int], list[int]]:
    """Pairs of ids of the same anchor in a and b: equal keys, and a whole short skeleton
    against a cut one it begins (Italie / Italien, Europa / Europas: an inflection or another
    language's ending adds a consonant after a short name). One partner per anchor."""
    ia, ib = [], []
    for k, i in ta.index.items():
        j = tb.index.get(k)
        if j is not None:
            ia.append(i)
            ib.append(j)
    if params.short_skeletons and ((ta.short and tb.cut) or (tb.short and ta.cut)):
        used_a, used_b = set(ia), set(ib)
        _match_short(ta.short, tb.cut, used_a, used_b, ia, ib)
        _match_short(tb.short, ta.cut, used_b, used_a, ib, ia)
    return ia, ib


def _match_marked(marked: dict[str, int], other: KeyTables, out_l: list, out_k: list) -> None:
    """Match-only anchors of one text (loanwords, names without their prefixes) to the still
    unmatched names of the other: equal keys, one partner per anchor."""
    if not marked:  # most texts have none: spare the sets below
        return
    used_l, used_k = set(out_l), set(out_k)
    for k, i in marked.items():
        j = other.index.get(k)
        if j is not None and i not in used_l and j not in used_k:
            used_l.add(i)
            used_k.add(j)
            out_l.append(i)
            out_k.append(j)


def _match_short(
    short: dict[str, int], cut: dict[str, int], used_s: set, used_c: set, out_s: list, out_c: list
) -> None:
    """Unmatched whole skeletons shorter than the cut (one side) to unmatched cut ones."""
    for k, i in short.items():
        j = cut.get(k)
        if j is not None and i not in used_s and j not in used_c:
            used_s.add(i)
            used_c.add(j)
            out_s.append(i)
            out_c.append(j)
