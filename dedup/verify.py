"""The verifier: decides whether two fingerprinted articles are copies of each other.

Verbatim copies share word 5-shingles. Translations share no words, but share anchors (numbers,
names, rare terms), and a translation keeps the order of the original: a monotone alignment of
sentences by shared anchor weight (as in sentence alignment for parallel corpora) separates a
translation from an article on the same topic, which shares names but not their order nor
the numbers that go with them. A pair with too few anchors to decide gets a second look: a
translation also keeps the sequence of its sentence lengths (dedup/rhythm.py).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from dedup.anchors import CLITIC, LOAN, LOANWORD_LANGS, MATCH_ONLY, PLACE, PREFIX
from dedup.fingerprint import MIN_UNITS, Fingerprint
from dedup.months import is_month_key
from dedup.rhythm import MIN_SENTENCES as RHYTHM_MIN_SENTENCES
from dedup.rhythm import order_evidence

# Verbatim: share of the smaller article's shingles found in the other (containment, so partial
# copies and copies with added boilerplate still count), and a floor on their number.
VERBATIM_CONTAINMENT = 0.5
VERBATIM_MIN_SHINGLES = 25
# ...and of the larger one: two pages sharing only a site template share most of a short page,
# but little of a long one; a partial copy keeps at least half of its original.
VERBATIM_LARGER = 0.3
# A short text found whole inside another is a copy even below the shingle floor: shared page
# furniture never makes up nearly all of a page that has text of its own.
VERBATIM_SHORT_MIN_SHINGLES = 8
VERBATIM_SHORT_CONTAINMENT = 0.9
# ...and so is a short text whose sentences all stand verbatim in the other, at least this many
# of them holding as many lexical units as a text needs to be fingerprinted at all (words;
# characters in Chinese and Japanese): a scraper that puts share buttons or "Source link"
# between its paragraphs breaks the shingles across them, and a text of a few sentences then
# keeps too few (a Ukrainian farm of seed 5 copying two-line posts went unflagged). One
# sentence is left to the shingles: a quote is one sentence.
VERBATIM_WHOLE_MIN_SENTENCES = 2
VERBATIM_WHOLE_MIN_UNITS = MIN_UNITS
# Translation: a logistic model over measurements of the monotone anchor alignment (see
# FEATURES); coefficients fitted on candidate pairs of the corpus' tune half by
# bench/quality_fit.py, on standardized features. Only anchor measurements take part, no
# language-specific length or sentence-count ratios, so that other languages, other translation
# systems (LLMs re-split sentences) and other page templates are judged alike.
FEATURES = (
    "score",
    "log_weight",
    "richer_share",
    "sentence_share",
    "number_share",
    "log_numbers",
    "diagonal_share",
    "cjk",
)
# Chinese and Japanese write foreign names in their own script, so a pair with one of them keeps
# fewer anchors in common than a pair of alphabetic languages: the model knows which it sees.
CJK_LANGS = frozenset({"ja", "zh", "ko"})
# Sentence pairs count as "on the diagonal" when their indices differ by at most this much plus
# DIAGONAL_DRIFT of the index: translations keep sentence order and roughly sentence count
# (a translator that splits or merges sentences drifts slowly), a partial copy is a prefix, and
# an article on the same event mentions the same names in its own order.
DIAGONAL_SLACK = 2
DIAGONAL_DRIFT = 0.15
# Two sentences aligned with one (a translator joined or split them) are credited this share of
# the weight they share: such steps are rarer than one-to-one ones (Gale & Church: about one in
# ten), so they win only where they find clearly more.
MERGE_CREDIT = 0.8
# The fitted model (python bench/quality_fit.py) and the decision threshold on its logit.
MEAN = (0.3005, 2.738, 0.1852, 0.5078, 0.5211, 1.7045, 0.5702, 0.1591)
SCALE = (0.2945, 0.6377, 0.235, 0.2705, 0.339, 0.9964, 0.3922, 0.3658)
COEF = (1.702, 1.076, 1.756, 0.563, 1.014, 0.147, 1.048, 0.698)
INTERCEPT = -3.643
TRANSLATION_MIN_LOGIT = 1.5
TRANSLATION_MIN_SENTENCES = 2
# One name, however often repeated, is a topic rather than a text: two reviews of one artist's
# records name him in most sentences (a pair of the tune half through the crawler, where the
# shouted headline "NOT CLAPTION MUSIC VIDEO!" made the name an anchor). Measured in six
# worlds (seeds 3-5), no true pair decided by its anchors has fewer distinct shared anchors.
TRANSLATION_MIN_ANCHORS = 2
# Below this aligned anchor weight (two long numbers; a name and a couple of small numbers)
# the features are ratios of almost nothing, and a short text full of small numbers "aligns".
# Months (dedup/months.py) count in the features but not towards this floor nor towards
# TRANSLATION_MIN_SENTENCES: articles about one person in one month share a name and a month;
# a date is evidence of an event, not of a text.
TRANSLATION_MIN_WEIGHT = 8.0
# A second look (dedup/rhythm.py) for the pairs whose anchors are too few for the model alone
# (social posts, product pages: few names, few numbers): some anchor weight aligned in order and
# a logit not far below the threshold, and sentence lengths that follow each other in order
# (a z-score against shuffled orders; on the tune half the first false positives come at 2.5).
RHYTHM_MIN_WEIGHT = 4.0
RHYTHM_MIN_LOGIT = -4.0
RHYTHM_MIN_EVIDENCE = 3.5
# ...and at least one shared anchor stronger than this: a numbered list (1, 2, 3) aligns in
# order in a chat and in an unrelated post alike; unless the rhythm evidence reaches
# RHYTHM_STRONG_EVIDENCE, twice the threshold, which no pair that is no copy reached in six
# worlds (seeds 3-5) even without the rule: +3 long pairs there (posts whose only shared
# anchors are single digits and loanwords), no new false positive.
RHYTHM_MIN_ANCHOR_WEIGHT = 1.0
RHYTHM_STRONG_EVIDENCE = 7.0
# ...and sentence counts within this ratio: a translation keeps about its original's count and
# a partial copy at least half of it, while a short text can be placed somewhere in a long one
# by chance. On the tune halves of seeds 3-5, the true pairs decided by the second look have
# ratios of 0.78 and more; a false one recurs at 0.33 (10 sentences against 30, six numbers).
RHYTHM_MIN_SENTENCE_RATIO = 0.5
# The other way round: a pair the anchors accept with a logit below RHYTHM_VETO_LOGIT whose
# sentence lengths don't follow each other at all (evidence below RHYTHM_VETO_BELOW; both sides
# with enough sentences to tell) is rejected. Articles from two outlets on one event (a naval
# parade, a race) share its names in order, but they are not written sentence for sentence.
# On the tune half of three worlds (seeds 3-5) this removed 16 of 23 false positives for 2 of
# 1,880 true pairs; 30% of lines joined (the stress test) costs more, see docs/quality.md.
RHYTHM_VETO_LOGIT = 4.0
RHYTHM_VETO_BELOW = 0.5
# The veto stays out of a pair whose anchors drift off the diagonal (a share on it below this,
# over at least this many aligned sentences): the translator joined or split sentences (LLMs
# do), and lengths then follow each other too loosely to read. Two outlets' reports on one
# event name their people sentence for sentence on the diagonal: of the 34 pairs the veto
# rejected in six worlds, 30 have a share of 0.6 or more and 3 align two sentences only. With
# 30% of lines joined (--merge-sentences 0.3, seeds 3-5), long alphabetic recall +0.004 to
# +0.024 per half and CJK up to +0.019, no new false positive; unmodified, one more false
# positive in six worlds and no recall change. At 0.75: a third more recall under that
# stress, 3 more false positives unmodified.
RHYTHM_VETO_MIN_DIAGONAL = 0.5
RHYTHM_VETO_DRIFT_SENTENCES = 3
# ...but a translator who joins or splits sentences keeps the text's extent: the aligned
# sentences span about as many sentences on both sides. A 15-sentence Japanese report on
# Ukraine aligned over 86 sentences of an English one (the country's name in every sentence,
# spans 13 and 86) is no restructured translation, and the veto stays: a false positive that
# came with 128 anchor bands, in two worlds. Under the stress test (--merge-sentences 0.3)
# true pairs stretch their spans up to 2.4 (at 2, three of them were lost).
RESTRUCTURED_MAX_STRETCH = 3.0
MAX_ANCHORS_SHOWN = 20
# Two articles in one language share common capitalized words (Settings, Parade, President) by
# topic alone, not because a translation kept them: the survival weights were measured across
# languages. Between same-language articles, only names rarer than this weight count.
SAME_LANGUAGE_MIN_NAME_WEIGHT = 3.0


@dataclass(frozen=True)
class Verdict:
    score: float  # 0..1; a Verdict is only returned for a decided copy
    kind: str  # "verbatim" | "translation"
    anchors: tuple[str, ...]  # shared anchors, human-readable
    aligned: tuple[tuple[int, int], ...]  # (sentence in a, sentence in b), by segment.sentences
    # Sentence-length evidence (dedup/rhythm.py) when the second look decided the pair: the
    # anchors alone were too few.
    rhythm: float | None = None


def verify(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    """A Verdict when one article is a copy of the other; None otherwise. Symmetric in score."""
    return _verbatim(a, b) or _translation(a, b)


def _verbatim(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    smaller = min(a.shingles.size, b.shingles.size)
    if smaller == 0:
        return None
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    containment = shared / smaller
    whole = shared >= VERBATIM_SHORT_MIN_SHINGLES and containment >= VERBATIM_SHORT_CONTAINMENT
    large = (
        shared >= VERBATIM_MIN_SHINGLES
        and containment >= VERBATIM_CONTAINMENT
        and shared >= VERBATIM_LARGER * max(a.shingles.size, b.shingles.size)
    )
    score = containment
    if not (whole or large):
        if not _sentences_within(a, b):
            return None
        score = 1.0  # all of one text's sentences
    aligned = _text_pairs(a, b, _align_equal(a.sentence_hashes, b.sentence_hashes))
    return Verdict(
        score=round(float(score), 6),
        kind="verbatim",
        anchors=shared_labels(a, b),
        aligned=aligned,
    )


def _sentences_within(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether all the counted sentences of one text (VERBATIM_WHOLE_MIN_SENTENCES and
    VERBATIM_WHOLE_MIN_UNITS at least) are sentences of the other."""
    sa, sb = _derived(a).sentence_set, _derived(b).sentence_set
    for small, large, fp in ((sa, sb, a), (sb, sa, b)):
        if len(small) >= VERBATIM_WHOLE_MIN_SENTENCES and small <= large:
            counted = fp.sentence_hashes != 0
            if int(fp.sentence_units[counted].sum()) >= VERBATIM_WHOLE_MIN_UNITS:
                return True
    return False


def _align_equal(ha: np.ndarray, hb: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Longest monotone chain of identical sentences (longest increasing subsequence)."""
    positions: dict[int, list[int]] = {}
    for j, h in enumerate(hb.tolist()):
        if h:
            positions.setdefault(h, []).append(j)
    pairs = [(i, j) for i, h in enumerate(ha.tolist()) if h for j in positions.get(h, ())]
    # LIS on j over pairs sorted by i (and by descending j within one i, so an i is used once).
    pairs.sort(key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        parent[k] = tail_idx[pos - 1] if pos else -1
    chain = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    return tuple(reversed(chain))


def _text_pairs(
    a: Fingerprint, b: Fingerprint, pairs: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int], ...]:
    """Alignment in the indices of segment.sentences(text): titles kept as sentence 0 shift the
    text's sentences by one, and a pair involving a title is not a pair of text sentences."""
    ta, tb = a.title_sentences, b.title_sentences
    return tuple((i - ta, j - tb) for i, j in pairs if i >= ta and j >= tb)


def _shared(a: Fingerprint, b: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids of the anchors both articles have (in a, in b), with their shared weight."""
    ta, tb = _derived(a).keys, _derived(b).keys
    ia, ib = _matching_keys(ta, tb)
    # Loanwords written by sound (コラーゲン) against the lowercase words of a Latin-script text
    # (collagen): only between a Japanese text and one in another language.
    if (a.lang in LOANWORD_LANGS) != (b.lang in LOANWORD_LANGS):
        if a.lang in LOANWORD_LANGS:
            _match_marked(tb.loan, ta, ib, ia)
        else:
            _match_marked(ta.loan, tb, ia, ib)
    elif a.lang != b.lang:
        # A language that capitalizes its nouns (German) writes as names what another writes
        # as lowercase words: a rare lowercase word against the other's capitalized nouns
        # (qualité / Qualität, pandemic / Pandemie). Lowercase words against lowercase words
        # would meet by topic: tried, see docs/quality.md.
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
        keep = ~ta.is_name[ida] | (w >= SAME_LANGUAGE_MIN_NAME_WEIGHT)
        ida, idb, w = ida[keep], idb[keep], w[keep]
    return ida, idb, w


@dataclass(frozen=True)
class _KeyTables:
    index: dict[str, int]  # key -> id (MATCH_ONLY anchors apart)
    loan: dict[str, int]  # loanword anchors, without their LOAN mark -> id
    clitic: dict[str, int]  # names without their prefixes, without the CLITIC mark -> id
    short: dict[str, int]  # whole name skeletons shorter than the cut -> id
    cut: dict[str, int]  # name keys cut at PREFIX, without their last letter -> id
    is_name: np.ndarray  # bool per id: not a number
    is_month: np.ndarray  # bool per id: a month named next to a number


@lru_cache(maxsize=1 << 12)
def _key_tables(keys: tuple[str, ...]) -> _KeyTables:
    # Cached by keys as well as per object (_derived): an article's fingerprint is parsed
    # again by every loader that meets it, with the same keys.
    short: dict[str, int] = {}
    cut: dict[str, int] = {}
    loan: dict[str, int] = {}
    clitic: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k[0] == LOAN:
            loan[k[1:]] = i
        elif k[0] == CLITIC:
            clitic.setdefault(k[1:], i)
        if k[0] in "#=" + PLACE + MATCH_ONLY:
            continue
        if len(k) == PREFIX - 1:
            short.setdefault(k, i)
        elif len(k) == PREFIX:
            cut.setdefault(k[:-1], i)
    is_name = np.array([not k.startswith("#") for k in keys], dtype=bool)
    is_month = np.array([is_month_key(k) for k in keys], dtype=bool)
    index = {k: i for i, k in enumerate(keys) if k[0] not in MATCH_ONLY}
    return _KeyTables(index, loan, clitic, short, cut, is_name, is_month)


@dataclass(frozen=True)
class _Derived:
    """What every comparison reads of one fingerprint, computed once per fingerprint object
    (an article meets dozens of candidates) and kept in its `derived`."""

    keys: _KeyTables
    occ_sentence: np.ndarray  # int64 per entry of occ: its sentence
    key_sentences: np.ndarray  # int64 per anchor id: the sentences that have it
    sentence_weights: float  # see _sentence_weights
    number_weight: float  # see _number_weight
    anchored_sentences: int  # see _anchored_sentences
    sentence_set: frozenset[int]  # the non-zero sentence hashes
    sentences: int  # sentences with lexical units


def _derived(fp: Fingerprint) -> _Derived:
    found = fp.derived.get(__name__)
    if found is None:
        found = fp.derived[__name__] = _Derived(
            keys=_key_tables(fp.keys),
            occ_sentence=_occ_sentences(fp),
            key_sentences=np.bincount(fp.occ.astype(np.int64), minlength=len(fp.keys)),
            sentence_weights=_sentence_weights(fp),
            number_weight=_number_weight(fp),
            anchored_sentences=_anchored_sentences(fp),
            sentence_set=frozenset(fp.sentence_hashes[fp.sentence_hashes != 0].tolist()),
            sentences=int(np.count_nonzero(fp.sentence_units)),
        )
    return found


def _matching_keys(ta: _KeyTables, tb: _KeyTables) -> tuple[list[int], list[int]]:
    """Pairs of ids of the same anchor in a and b: equal keys, and a whole short skeleton
    against a cut one it begins (Italie / Italien, Europa / Europas: an inflection or another
    language's ending adds a consonant after a short name). One partner per anchor."""
    ia, ib = [], []
    for k, i in ta.index.items():
        j = tb.index.get(k)
        if j is not None:
            ia.append(i)
            ib.append(j)
    if (ta.short and tb.cut) or (tb.short and ta.cut):
        used_a, used_b = set(ia), set(ib)
        _match_short(ta.short, tb.cut, used_a, used_b, ia, ib)
        _match_short(tb.short, ta.cut, used_b, used_a, ib, ia)
    return ia, ib


def _match_marked(marked: dict[str, int], other: _KeyTables, out_l: list, out_k: list) -> None:
    """MATCH_ONLY anchors of one text (loanwords, names without their prefixes) to the still
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


def shared_labels(a: Fingerprint, b: Fingerprint) -> tuple[str, ...]:
    """The anchors two articles share, heaviest first, as evidence shows them."""
    ida, _, w = _shared(a, b)
    order = np.argsort(-w, kind="stable")[:MAX_ANCHORS_SHOWN]
    return tuple(a.labels[int(ida[k])] for k in order)


def _outside_shared_sentences(
    a: Fingerprint, b: Fingerprint, ida: np.ndarray, idb: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop shared anchors that occur only in sentences present verbatim in both articles."""
    # A set intersection: most pairs share no sentence, and np.intersect1d sorts both sides.
    found = _derived(a).sentence_set & _derived(b).sentence_set
    if not found:
        return ida, idb, w
    common = np.array(sorted(found), dtype=np.uint64)
    keep = np.ones(ida.size, dtype=bool)
    for fp, ids in ((a, ida), (b, idb)):
        sent = _derived(fp).occ_sentence
        elsewhere = ~np.isin(fp.sentence_hashes[sent], common)
        alive = np.zeros(len(fp.keys), dtype=bool)
        alive[fp.occ[elsewhere]] = True
        keep &= alive[ids]
    return ida[keep], idb[keep], w[keep]


def _sentence_weights(fp: Fingerprint) -> float:
    """The anchor weight a translation of fp could keep: in a text that capitalizes common
    nouns, only the likely names among its capitalized words (fp.name_odds) count in full."""
    if not fp.occ.size:
        return 0.0
    # Loanword anchors are what a Japanese translation may keep by sound, on top of
    # the names and numbers: not weight that any translation is expected to keep; a name
    # without its prefix is counted already, as the whole word.
    total = fp.weights[fp.occ].astype(np.float64) * ~_match_only(fp)[fp.occ]
    if fp.name_odds < 1.0:
        names = np.array([k[0] not in "#=" for k in fp.keys], dtype=bool)[fp.occ]
        total[names] *= fp.name_odds
    return float(total.sum())


@dataclass(frozen=True)
class _Alignment:
    weight: float  # anchor weight aligned in order
    poorer: float  # anchor weight of the poorer article (sum over its sentences)
    richer: float
    path: tuple[tuple[int, int], ...]
    path_weights: np.ndarray  # aligned anchor weight of each pair in path
    shared_ids: np.ndarray  # ids in a of the shared anchors
    shared_weights: np.ndarray
    # What the floors judge (TRANSLATION_MIN_WEIGHT, TRANSLATION_MIN_SENTENCES): the aligned
    # weight and the aligned pairs without months. Months on a merged (2-1) step are counted
    # at full weight on both pairs, so the weight without them is, if anything, too low.
    floor_weight: float
    floor_sentences: int

    @property
    def score(self) -> float:
        return min(1.0, self.weight / self.poorer) if self.poorer > 0 else 0.0


_Shared = tuple[np.ndarray, np.ndarray, np.ndarray]  # what _shared returns


def _align(a: Fingerprint, b: Fingerprint, shared: _Shared | None = None) -> _Alignment | None:
    """`shared`: _shared(a, b) if the caller has it already."""
    ida, idb, w = _shared(a, b) if shared is None else shared
    if ida.size:
        # Identical sentences are no translation: a shared page template, a quote, or a verbatim
        # copy (which _verbatim judges). Their anchors don't count as translation evidence.
        ida, idb, w = _outside_shared_sentences(a, b, ida, idb, w)
    weights_a, weights_b = _derived(a).sentence_weights, _derived(b).sentence_weights
    poorer = min(weights_a, weights_b)
    if ida.size == 0 or poorer <= 0:
        return None
    # Incidence of the shared anchors in the sentences that have any (rows of a, columns of b).
    col_of_key = np.full(len(b.keys), -1, dtype=np.int64)
    col_of_key[idb] = np.arange(idb.size)
    key_of_a = np.full(len(a.keys), -1, dtype=np.int64)
    key_of_a[ida] = np.arange(ida.size)
    inc_a, rows = _incidence(a, key_of_a, ida.size)
    inc_b, cols = _incidence(b, col_of_key, idb.size)
    weight, path, path_weights = _monotone_alignment(inc_a, inc_b, w.astype(np.float64))
    floor_weight, floor_sentences = _without_months(
        inc_a, inc_b, w, _derived(a).keys.is_month[ida], path, weight
    )
    return _Alignment(
        path_weights=path_weights,
        weight=weight,
        poorer=poorer,
        richer=max(weights_a, weights_b),
        path=tuple((int(rows[r]), int(cols[c])) for r, c in path),
        shared_ids=ida,
        shared_weights=w,
        floor_weight=floor_weight,
        floor_sentences=floor_sentences,
    )


def _without_months(
    inc_a: np.ndarray,
    inc_b: np.ndarray,
    w: np.ndarray,
    month: np.ndarray,
    path: list[tuple[int, int]],
    weight: float,
) -> tuple[float, int]:
    """The aligned weight and the number of aligned pairs once months are left out (a pair
    whose only shared anchors are months does not count)."""
    if not path or not month.any():
        return weight, len(path)
    r, c = np.array(path, dtype=np.int64).T
    both = inc_a[r] & inc_b[c]  # shared anchors of each aligned pair
    month_weight = float((both[:, month] * w[month]).sum())
    undated = int(np.count_nonzero(both[:, ~month].any(axis=1)))
    return weight - month_weight, undated


def _features(a: Fingerprint, b: Fingerprint, al: _Alignment) -> dict[str, float]:
    da, db = _derived(a), _derived(b)
    anchored = min(da.anchored_sentences, db.anchored_sentences)
    numbers = min(da.number_weight, db.number_weight)
    numeric = ~da.keys.is_name[al.shared_ids]
    shared_numbers = float(al.shared_weights[numeric].sum())
    return {
        # Share of the poorer article's anchor weight aligned in order (a partial copy or a
        # translation into a script that keeps fewer anchors is the poorer one).
        "score": al.score,
        # How much evidence there is at all: a few shared numbers prove little.
        "log_weight": float(np.log1p(al.weight)),
        # Share of the richer article's anchors: low for a short text that merely quotes names.
        "richer_share": al.weight / al.richer if al.richer > 0 else 0.0,
        # Share of the poorer article's anchored sentences that take part in the alignment.
        "sentence_share": _aligned_sentences(al) / anchored if anchored else 0.0,
        # Numbers survive translation almost always: a translation shares nearly all of them.
        # Neutral (0.5) when one side has none.
        "number_share": shared_numbers / numbers if numbers else 0.5,
        # How many numbers are shared: many shared numbers are strong evidence even where
        # names don't survive (Chinese and Japanese write foreign names in their own script).
        "log_numbers": float(np.log1p(shared_numbers)),
        "diagonal_share": _diagonal_share(al),
        "cjk": float((a.lang in CJK_LANGS) != (b.lang in CJK_LANGS)),
    }


def _aligned_sentences(al: _Alignment) -> int:
    # A 2-1 group aligns two sentences of one side with one of the other: count the smaller.
    return min(len({i for i, _ in al.path}), len({j for _, j in al.path}))


def _diagonal_share(al: _Alignment) -> float:
    if not al.path:
        return 0.0
    i, j = np.array(al.path, dtype=np.float64).T
    near = np.abs(i - j) <= DIAGONAL_SLACK + DIAGONAL_DRIFT * np.maximum(i, j)
    total = float(al.path_weights.sum())
    return float(al.path_weights[near].sum()) / total if total > 0 else 0.0


def _logit(features: dict[str, float]) -> float:
    z = INTERCEPT
    for name, mean, scale, coef in zip(FEATURES, MEAN, SCALE, COEF, strict=True):
        z += coef * (features[name] - mean) / scale
    return z


def _anchored_sentences(fp: Fingerprint) -> int:
    """Sentences with a name or number (MATCH_ONLY anchors apart, see _sentence_weights)."""
    if not fp.occ.size:
        return 0
    kept = ~_match_only(fp)[fp.occ]
    return int(np.unique(_occ_sentences(fp)[kept]).size)


def _occ_sentences(fp: Fingerprint) -> np.ndarray:
    """The sentence of each entry of fp.occ."""
    per_sentence = np.diff(fp.occ_offsets.astype(np.int64))
    return np.repeat(np.arange(fp.n_sentences), per_sentence)


def _match_only(fp: Fingerprint) -> np.ndarray:
    return np.array([k[0] in MATCH_ONLY for k in fp.keys], dtype=bool)


def _number_weight(fp: Fingerprint) -> float:
    numeric = np.array([k.startswith("#") for k in fp.keys], dtype=bool)
    return float(fp.weights[numeric].sum()) if numeric.size else 0.0


class _Bounds(NamedTuple):
    """Upper bounds of what any alignment of two articles can reach, found without aligning."""

    weight: float  # aligned weight
    undated: float  # aligned weight without months (what the floors judge)
    sentences: int  # aligned sentences (each has a shared anchor)
    numbers: float  # weight of the shared numbers (each counts once in the features)


def _alignment_bounds(a: Fingerprint, b: Fingerprint, shared: _Shared) -> _Bounds:
    """Aligned groups are disjoint on both sides and an anchor counts once per group, so a
    shared anchor is credited at most min(its sentences in a, its sentences in b) times. Most
    LSH candidates fall below RHYTHM_MIN_WEIGHT here, which saves their alignment, the
    verifier's main cost, without changing any decision. `shared`: _shared(a, b)."""
    ida, idb, w = shared
    if ida.size == 0:
        return _Bounds(0.0, 0.0, 0, 0.0)
    in_a, in_b = _derived(a).key_sentences[ida], _derived(b).key_sentences[idb]
    credit = w * np.minimum(in_a, in_b)
    keys = _derived(a).keys
    undated = ~keys.is_month[ida]
    sentences = int(min(in_a.sum(), in_b.sum()))
    numbers = float(w[~keys.is_name[ida]].sum())
    return _Bounds(float(credit.sum()), float(credit[undated].sum()), sentences, numbers)


def _translation(a: Fingerprint, b: Fingerprint) -> Verdict | None:
    shared = _shared(a, b)
    bounds = _alignment_bounds(a, b, shared)
    if bounds.undated < RHYTHM_MIN_WEIGHT:
        return None
    # Aligning is the verifier's main cost: it is skipped when neither decision can be reached,
    # the anchors' (floor and threshold) nor the second look's, whatever the alignment.
    best = _logit_bound(a, b, bounds)
    by_anchors_possible = bounds.undated >= TRANSLATION_MIN_WEIGHT and best >= TRANSLATION_MIN_LOGIT
    if not by_anchors_possible and not _second_look_possible(a, b, best):
        return None
    al = _align(a, b, shared)
    if al is None or al.floor_weight < RHYTHM_MIN_WEIGHT:
        return None
    features = _features(a, b, al)
    z = _logit(features)
    by_anchors = (
        al.shared_ids.size >= TRANSLATION_MIN_ANCHORS
        and al.floor_sentences >= TRANSLATION_MIN_SENTENCES
        and al.floor_weight >= TRANSLATION_MIN_WEIGHT
        and z >= TRANSLATION_MIN_LOGIT
    )
    rhythm = None
    if by_anchors:
        if z < RHYTHM_VETO_LOGIT and not _restructured(al, features["diagonal_share"]):
            evidence = _rhythm(a, b)
            if evidence is not None and evidence < RHYTHM_VETO_BELOW:
                return None
    else:
        if z < RHYTHM_MIN_LOGIT or not _alike_lengths(a, b):
            return None
        evidence = _rhythm(a, b)
        if evidence is None or evidence < RHYTHM_MIN_EVIDENCE:
            return None
        # Single digits, months and loanwords (weight 1) are in every list and every date.
        weak = al.shared_weights.max() <= RHYTHM_MIN_ANCHOR_WEIGHT
        if weak and evidence < RHYTHM_STRONG_EVIDENCE:
            return None
        rhythm = round(evidence, 3)
        # Scored as if its logit stood above the threshold by what its rhythm evidence has
        # beyond its own: every decided translation scores above the same floor.
        z = TRANSLATION_MIN_LOGIT + rhythm - RHYTHM_MIN_EVIDENCE
    order = np.argsort(-al.shared_weights, kind="stable")[:MAX_ANCHORS_SHOWN]
    return Verdict(
        score=round(float(1.0 / (1.0 + np.exp(-z))), 6),
        kind="translation",
        anchors=tuple(a.labels[int(al.shared_ids[k])] for k in order),
        aligned=_text_pairs(a, b, al.path),
        rhythm=rhythm,
    )


def _restructured(al: _Alignment, diagonal_share: float) -> bool:
    """Whether the aligned anchors drift off the diagonal over several sentences, within
    spans of about one extent (see RHYTHM_VETO_MIN_DIAGONAL, RESTRUCTURED_MAX_STRETCH);
    diagonal_share: the model's feature, _diagonal_share(al)."""
    if (
        diagonal_share >= RHYTHM_VETO_MIN_DIAGONAL
        or _aligned_sentences(al) < RHYTHM_VETO_DRIFT_SENTENCES
    ):
        return False
    spans = [max(side) - min(side) + 1 for side in zip(*al.path, strict=True)]
    return max(spans) <= RESTRUCTURED_MAX_STRETCH * min(spans)


def _rhythm(a: Fingerprint, b: Fingerprint) -> float | None:
    """Sentence-length evidence (dedup/rhythm.py) without the sentences both have verbatim:
    two pages of one template have its lines, lengths and order alike."""
    return order_evidence(_own_units(a, b), _own_units(b, a))


def rhythm_evidence(a: Fingerprint, b: Fingerprint) -> float | None:
    """The second look's sentence-length evidence of a pair whose sentence counts are alike;
    None when they are not, or when either text has too few sentences."""
    return _rhythm(a, b) if _alike_lengths(a, b) else None


def anchor_logit(a: Fingerprint, b: Fingerprint) -> float | None:
    """The anchors' logit of a pair, aligned in order, when they include one that weighs more
    than 1 (single digits, months and loanwords are in every text); None otherwise."""
    al = _align(a, b)
    if al is None or al.shared_weights.max() <= RHYTHM_MIN_ANCHOR_WEIGHT:
        return None
    return _logit(_features(a, b, al))


def _second_look_possible(a: Fingerprint, b: Fingerprint, best_logit: float) -> bool:
    """Whether the second look could decide a pair, judged without aligning it (best_logit:
    _logit_bound)."""
    return (
        best_logit >= RHYTHM_MIN_LOGIT
        and min(_derived(a).sentences, _derived(b).sentences) >= RHYTHM_MIN_SENTENCES
        and _alike_lengths(a, b)
    )


def _alike_lengths(a: Fingerprint, b: Fingerprint) -> bool:
    """Sentence counts close enough for the second look (RHYTHM_MIN_SENTENCE_RATIO)."""
    na, nb = _derived(a).sentences, _derived(b).sentences
    return min(na, nb) >= RHYTHM_MIN_SENTENCE_RATIO * max(na, nb)


def _logit_bound(a: Fingerprint, b: Fingerprint, bounds: _Bounds) -> float:
    """The highest logit an alignment within `bounds` can have: every coefficient is
    positive, so each feature at its highest value given those bounds."""
    bound = bounds.weight
    da, db = _derived(a), _derived(b)
    poorer = min(da.sentence_weights, db.sentence_weights)
    richer = max(da.sentence_weights, db.sentence_weights)
    if poorer <= 0:
        return float("-inf")
    numbers = min(da.number_weight, db.number_weight)
    anchored = min(da.anchored_sentences, db.anchored_sentences)
    best = {
        "score": min(1.0, bound / poorer),
        "log_weight": float(np.log1p(bound)),
        "richer_share": bound / richer,
        # Aligned sentences over anchored ones: above 1 when loanwords align sentences.
        "sentence_share": bounds.sentences / anchored if anchored else 0.0,
        "number_share": min(1.0, bounds.numbers / numbers) if numbers else 0.5,
        "log_numbers": float(np.log1p(min(bound, bounds.numbers))),
        "diagonal_share": 1.0,
        "cjk": float((a.lang in CJK_LANGS) != (b.lang in CJK_LANGS)),
    }
    return _logit(best)


def _own_units(fp: Fingerprint, other: Fingerprint) -> np.ndarray:
    shared = _derived(fp).sentence_set & _derived(other).sentence_set
    if not shared:
        return fp.sentence_units
    keep = ~np.isin(fp.sentence_hashes, np.fromiter(shared, dtype=np.uint64, count=len(shared)))
    return fp.sentence_units[keep]


def explain(a: Fingerprint, b: Fingerprint) -> dict[str, float]:
    """The measurements behind verify(a, b), for benchmarks, fitting, and reading a miss."""
    smaller = min(a.shingles.size, b.shingles.size)
    shared = np.intersect1d(a.shingles, b.shingles, assume_unique=True).size
    out = {
        "shingles_shared": float(shared),
        "containment": shared / smaller if smaller else 0.0,
        "aligned_sentences": 0.0,
        "floor_weight": 0.0,
        "floor_sentences": 0.0,
        "logit": float("-inf"),
    }
    al = _align(a, b)
    features = _features(a, b, al) if al is not None else dict.fromkeys(FEATURES, 0.0)
    out.update(features)
    if al is not None:
        out["aligned_sentences"] = float(len(al.path))
        out["floor_weight"] = al.floor_weight
        out["floor_sentences"] = float(al.floor_sentences)
        out["logit"] = _logit(features)
    rhythm = _rhythm(a, b)
    out["rhythm"] = float("nan") if rhythm is None else rhythm
    return out


def _incidence(fp: Fingerprint, shared_index: np.ndarray, n_shared: int):
    """Boolean matrix (sentences having shared anchors x shared anchors) and those sentences."""
    shared = shared_index[fp.occ]
    keep = shared >= 0
    sentence = _derived(fp).occ_sentence[keep]
    # occ runs sentence by sentence, so sentence is sorted: its runs are np.unique's values,
    # found without np.unique's sort.
    new_row = np.empty(sentence.size, dtype=bool)
    new_row[:1] = True
    new_row[1:] = sentence[1:] != sentence[:-1]
    rows, row_index = sentence[new_row], np.cumsum(new_row) - 1
    incidence = np.zeros((rows.size, n_shared), dtype=bool)
    incidence[row_index, shared[keep]] = True
    return incidence, rows


def _monotone_alignment(
    inc_a: np.ndarray, inc_b: np.ndarray, w: np.ndarray
) -> tuple[float, list[tuple[int, int]], np.ndarray]:
    """Maximum-weight monotone alignment of the sentences of a (rows) to those of b (columns),
    by the weight of the anchors each aligned group shares, as in sentence alignment of parallel
    text: one sentence to one, and two to one or one to two, because translators (LLMs above
    all) merge and split sentences. An anchor counts once per aligned group.

    Row by row, each cell takes the best of: skip a row or a column, a 1-1 step, a 2-1 step, a
    1-2 step; skipping a column is a running maximum along the row, so each row is a handful of
    numpy operations. Returns the total, the aligned pairs and the weight credited to each.
    """
    n, m = inc_a.shape[0], inc_b.shape[0]
    fa, fb = inc_a.astype(np.float64), inc_b.astype(np.float64)
    sim = (fa * w) @ fb.T
    two_a = np.vstack([np.zeros((1, fa.shape[1])), np.maximum(fa[1:], fa[:-1])])
    two_b = np.vstack([np.zeros((1, fb.shape[1])), np.maximum(fb[1:], fb[:-1])])
    sim21 = MERGE_CREDIT * (two_a * w) @ fb.T  # rows i-1 and i against column j
    sim12 = MERGE_CREDIT * (fa * w) @ two_b.T  # row i against columns j-1 and j
    best = np.zeros((n + 1, m + 1), dtype=np.float64)
    # In place (out=): the matrices are small (a handful of sentences with shared anchors), so
    # the cost is the number of numpy calls, not their size.
    for i in range(1, n + 1):
        prev = best[i - 1]
        take = prev[:-1] + sim[i - 1]
        np.maximum(prev[1:], take, out=take)
        if i >= 2:
            np.maximum(take, best[i - 2, :-1] + sim21[i - 1], out=take)
        if m >= 2:
            np.maximum(take[1:], prev[:-2] + sim12[i - 1, 1:], out=take[1:])
        np.maximum.accumulate(take, out=best[i, 1:])
    path, credit = _traceback(best.tolist(), sim.tolist(), sim21.tolist(), sim12.tolist())
    return float(best[n, m]), path, np.array(credit, dtype=np.float64)


def _traceback(
    best: list[list[float]],
    sim: list[list[float]],
    sim21: list[list[float]],
    sim12: list[list[float]],
) -> tuple[list[tuple[int, int]], list[float]]:
    """The aligned pairs of _monotone_alignment's table and their credit, on Python lists: a
    walk reads single cells, which numpy serves slowly."""
    path: list[tuple[int, int]] = []
    credit: list[float] = []
    i, j = len(best) - 1, len(best[0]) - 1
    while i > 0 and j > 0:
        here = best[i][j]
        if here == best[i - 1][j]:
            i -= 1
        elif here == best[i][j - 1]:
            j -= 1
        elif here == best[i - 1][j - 1] + sim[i - 1][j - 1]:
            path.append((i - 1, j - 1))
            credit.append(sim[i - 1][j - 1])
            i, j = i - 1, j - 1
        elif i >= 2 and here == best[i - 2][j - 1] + sim21[i - 1][j - 1]:
            path += [(i - 1, j - 1), (i - 2, j - 1)]
            credit += [sim21[i - 1][j - 1] / 2] * 2
            i, j = i - 2, j - 1
        else:
            path += [(i - 1, j - 1), (i - 1, j - 2)]
            credit += [sim12[i - 1][j - 1] / 2] * 2
            i, j = i - 1, j - 2
    path.reverse()
    credit.reverse()
    return path, credit
