"""The compiled dynamic programmes (dedup/compiled.py) against the same functions run by
CPython: the same results bit for bit, and numba loaded only when one is called."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dedup.rhythm import RHYTHM, _best_monotone
from dedup.verify.alignment import _monotone_alignment


def _rhythm_inputs(rng: np.random.Generator) -> tuple:
    n, m, k = (int(v) for v in rng.integers(1, 12, size=3))
    a, b = rng.integers(1, 40, size=n).astype(float), rng.integers(1, 40, size=(m, k)) * 1.0
    return (
        np.log1p(a),
        np.log1p(a[:-1] + a[1:]),
        np.log1p(b),
        np.log1p(b[:-1] + b[1:]),
        -1.5,
        1.1,
        RHYTHM.skip,
        RHYTHM.merge_cost,
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_rhythm_is_the_python_one(seed: int) -> None:
    inputs = _rhythm_inputs(np.random.default_rng(seed))
    compiled = _best_monotone(*inputs)
    assert compiled.tolist() == _best_monotone.__wrapped__(*inputs).tolist()
    assert (compiled >= 0).all()  # an empty alignment scores 0


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_alignment_is_the_python_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, anchors = (int(v) for v in rng.integers(1, 9, size=3))
    inc_a, inc_b = rng.random((n, anchors)) < 0.3, rng.random((m, anchors)) < 0.3
    w = rng.uniform(0.5, 4.0, size=anchors)
    weight, path, credit = _monotone_alignment(inc_a, inc_b, w, 0.8)
    plain = _monotone_alignment.__wrapped__(inc_a, inc_b, w, 0.8)
    assert weight == plain[0]
    assert path.tolist() == plain[1].tolist()
    assert credit.tolist() == plain[2].tolist()
    # The credit along the path adds up to the weight, and the path runs forward on both sides.
    assert credit.sum() == pytest.approx(weight)
    assert (np.diff(path, axis=0) >= 0).all()


def test_a_translation_aligns_sentence_by_sentence() -> None:
    anchors = np.eye(4, dtype=bool)  # sentence i has anchor i, on both sides
    weight, path, credit = _monotone_alignment(anchors, anchors, np.arange(1.0, 5.0), 0.8)
    assert weight == 10.0
    assert path.tolist() == [[0, 0], [1, 1], [2, 2], [3, 3]]
    assert credit.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_numba_loads_only_when_a_pair_is_verified() -> None:
    code = (
        "import sys, crawler.matching, dedup.verify\n"
        "assert 'numba' not in sys.modules\n"
        "from dedup.rhythm import order_evidence\n"
        "order_evidence(__import__('numpy').arange(1, 9), __import__('numpy').arange(2, 10))\n"
        "assert 'numba' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
