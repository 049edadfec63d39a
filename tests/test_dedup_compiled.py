"""The compiled loops (dedup/compiled.py) against the same functions run by CPython: the same
results bit for bit, and numba loaded only when one is called."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dedup.rhythm import RHYTHM, _best_monotone
from dedup.verify.alignment import _incidence, _monotone_alignment
from dedup.verify.prefilter import _ANY, _CLITIC, _LOAN, _anchor_sums


def _rhythm_inputs(rng: np.random.Generator) -> tuple:
    n, m, k = (int(v) for v in rng.integers(1, 12, size=3))
    a, b = rng.integers(1, 40, size=n).astype(float), rng.integers(1, 40, size=(m, k)) * 1.0
    return (
        (np.log1p(a), np.log1p(a[:-1] + a[1:])),
        (np.log1p(b), np.log1p(b[:-1] + b[1:])),
        (-1.5, 1.1, RHYTHM.skip, RHYTHM.merge_cost),
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_rhythm_is_the_python_one(seed: int) -> None:
    inputs = _rhythm_inputs(np.random.default_rng(seed))
    compiled = _best_monotone.machine_code()(*inputs)
    assert compiled.tolist() == _best_monotone.__wrapped__(*inputs).tolist()
    # What CPython runs until numba pays (a row of the table per numpy operation).
    assert compiled.tolist() == _best_monotone.interpreted(*inputs).tolist()
    assert (compiled >= 0).all()  # an empty alignment scores 0


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_alignment_is_the_python_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, anchors = (int(v) for v in rng.integers(1, 9, size=3))
    inc_a, inc_b = rng.random((n, anchors)) < 0.3, rng.random((m, anchors)) < 0.3
    w = rng.uniform(0.5, 4.0, size=anchors)
    weight, path, credit = _monotone_alignment.machine_code()(inc_a, inc_b, w, 0.8)
    plain = _monotone_alignment.__wrapped__(inc_a, inc_b, w, 0.8)
    assert weight == plain[0]
    assert path.tolist() == plain[1].tolist()
    assert credit.tolist() == plain[2].tolist()
    # The credit along the path adds up to the weight, and the path runs forward on both sides.
    assert credit.sum() == pytest.approx(weight)
    assert (np.diff(path, axis=0) >= 0).all()


@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_incidence_is_the_python_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys, occurrences = int(rng.integers(1, 12)), int(rng.integers(0, 30))
    occ = rng.integers(0, keys, size=occurrences).astype(np.uint32)
    sentence = np.sort(rng.integers(0, 8, size=occurrences))
    shared = np.full(keys, -1)
    chosen = rng.permutation(keys)[: int(rng.integers(0, keys + 1))]
    shared[chosen] = np.arange(chosen.size)
    incidence, rows = _incidence.machine_code()(occ, sentence, shared, chosen.size)
    plain = _incidence.__wrapped__(occ, sentence, shared, chosen.size)
    assert incidence.tolist() == plain[0].tolist() and rows.tolist() == plain[1].tolist()
    # A row per sentence with a shared anchor, each with the anchors it has.
    expected = sorted({int(s) for o, s in zip(occ, sentence, strict=True) if shared[o] >= 0})
    assert rows.tolist() == expected
    for row, s in zip(incidence, rows, strict=True):
        assert set(np.flatnonzero(row)) == {shared[o] for o in occ[sentence == s] if shared[o] >= 0}


def _anchor_inputs(rng: np.random.Generator) -> tuple:
    """An article's probe and tables, and candidates' targets, as prefilter._side makes them:
    hashes from a small range (so targets meet probes, some several: a cut prefix), anchors in
    one to four sentences each."""
    anchors, sentences = int(rng.integers(1, 15)), int(rng.integers(1, 10))
    probes = int(rng.integers(0, 25))
    hashes = np.sort(rng.integers(-40, 40, size=probes)).astype(np.int64)
    kinds = (_ANY, _LOAN, _CLITIC)
    ids = rng.integers(0, anchors, size=probes)
    probe = (hashes, ids, rng.choice(kinds, probes).astype(np.int8))
    key_sentences = rng.integers(1, 5, size=anchors)
    starts = np.concatenate(([0], np.cumsum(key_sentences)))
    tables = (
        rng.choice([1.0, 1.5, 2.5, 3.0, 4.0], anchors),
        key_sentences,
        rng.random(anchors) < 0.7,
        rng.random(anchors) < 0.1,
        starts,
        rng.integers(0, sentences, size=int(starts[-1])),
    )
    ends = np.cumsum(rng.integers(0, 12, size=int(rng.integers(1, 8))))
    size, n = int(ends[-1]) if ends.size else 0, ends.size
    targets = (
        rng.integers(-40, 40, size=size).astype(np.int64),
        rng.choice(kinds, size).astype(np.int64),
        rng.choice([1.0, 1.5, 2.5, 3.0, 4.0], size),
        rng.integers(1, 5, size=size),
        ends,
    )
    rules = tuple(rng.random(n) < 0.5 for _ in range(3))
    return probe, tables, targets, rules, float(rng.choice([3.0, -np.inf]))


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_anchor_sums_are_the_numpy_ones(seed: int) -> None:
    inputs = _anchor_inputs(np.random.default_rng(seed))
    compiled = _anchor_sums.machine_code()(*inputs)
    for other in (_anchor_sums.interpreted(*inputs), _anchor_sums.__wrapped__(*inputs)):
        assert [s.tolist() for s in compiled] == [s.tolist() for s in other]


def test_anchor_sums_by_hand() -> None:
    """Two candidates: the first shares anchor 0 (in 2 of a's sentences, 3 of its own) and a
    month; the second shares only a name, in the same language, below the names' floor."""
    probe = (np.array([5, 7, 9]), np.array([0, 1, 2]), np.zeros(3, dtype=np.int8))
    is_name, is_month = np.array([True, False, True]), np.array([False, True, False])
    starts, sentences = np.array([0, 2, 3, 4]), np.array([0, 3, 3, 1])
    tables = (np.array([3.0, 1.0, 2.5]), np.array([2, 1, 1]), is_name, is_month, starts, sentences)
    targets = (
        np.array([5, 7, 8, 9]),
        np.zeros(4, dtype=np.int64),
        np.array([4.0, 1.0, 3.0, 2.5]),
        np.array([3, 1, 1, 1]),
        np.array([3, 4]),
    )
    rules = (np.array([True, False]), np.zeros(2, dtype=bool), np.zeros(2, dtype=bool))
    for version in (_anchor_sums.machine_code(), _anchor_sums.interpreted):
        undated, credited, numbers, in_b, in_a = version(probe, tables, targets, rules, 3.0)
        assert undated.tolist() == [6.0, 0.0]  # 3.0 (the lighter side) in min(2, 3) sentences
        assert credited.tolist() == [7.0, 0.0]  # and the month, once
        assert numbers.tolist() == [1.0, 0.0]
        assert in_b.tolist() == [4.0, 0.0]
        assert in_a.tolist() == [2, 0]  # sentences 0 and 3: the month's is one of anchor 0's


def test_a_translation_aligns_sentence_by_sentence() -> None:
    anchors = np.eye(4, dtype=bool)  # sentence i has anchor i, on both sides
    weight, path, credit = _monotone_alignment(anchors, anchors, np.arange(1.0, 5.0), 0.8)
    assert weight == 10.0
    assert path.tolist() == [[0, 0], [1, 1], [2, 2], [3, 3]]
    assert credit.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_numba_loads_once_interpreted_calls_have_cost_its_start_up() -> None:
    code = (
        "import sys, time, numpy, dedup.compiled\n"
        "from dedup.rhythm import order_evidence\n"
        "a, b = numpy.arange(1, 60), numpy.arange(2, 61)\n"
        "started = time.process_time()\n"
        "while time.process_time() - started < dedup.compiled.START_UP_SECONDS * 0.8:\n"
        "    order_evidence(a, b)\n"
        "assert 'numba' not in sys.modules\n"
        "while 'numba' not in sys.modules:\n"
        "    order_evidence(a, b)\n"
        "spent = dedup.compiled._interpreted_seconds - dedup.compiled.START_UP_SECONDS\n"
        "assert 0 <= spent < 0.1, spent\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
