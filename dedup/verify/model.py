"""The translation model: eight measurements of a pair's anchor alignment, and a logistic model
over them fitted by bench/quality_fit.py (stored in model.json next to this file).

Only anchor measurements take part, no language-specific length or sentence-count ratios, so
that other languages, other translation systems (LLMs re-split sentences) and other page
templates are judged alike (docs/quality.md, "The verifier").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

MODEL_FILE = Path(__file__).with_name("model.json")

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


class Measures(NamedTuple):
    """What the features are computed from: of an alignment, or the most any alignment of a
    pair can reach (decision._logit_bound), so both are read by the same formulas."""

    weight: float  # anchor weight aligned in order
    poorer: float  # anchor weight of the poorer article (what a translation could keep)
    richer: float
    aligned_sentences: int  # of the poorer side of the alignment
    anchored_sentences: int  # of the article with fewer sentences holding anchors
    shared_numbers: float  # weight of the numbers both articles share
    numbers: float  # number weight of the article with less of it
    diagonal_share: float  # share of the aligned weight near the diagonal
    cjk: bool  # one side Chinese, Japanese or Korean, the other not


def features(m: Measures) -> tuple[float, ...]:
    """The model's inputs, in FEATURES order."""
    return (
        # Share of the poorer article's anchor weight aligned in order (a partial copy or a
        # translation into a script that keeps fewer anchors is the poorer one).
        min(1.0, m.weight / m.poorer) if m.poorer > 0 else 0.0,
        # How much evidence there is at all: a few shared numbers prove little.
        float(np.log1p(m.weight)),
        # Share of the richer article's anchors: low for a short text that merely quotes names.
        m.weight / m.richer if m.richer > 0 else 0.0,
        # Share of the poorer article's anchored sentences that take part in the alignment.
        m.aligned_sentences / m.anchored_sentences if m.anchored_sentences else 0.0,
        # Numbers survive translation almost always: a translation shares nearly all of them.
        # Neutral (0.5) when one side has none.
        min(1.0, m.shared_numbers / m.numbers) if m.numbers else 0.5,
        # Many shared numbers are strong evidence even where names don't survive (Chinese and
        # Japanese write foreign names in their own script).
        float(np.log1p(m.shared_numbers)),
        m.diagonal_share,
        float(m.cjk),
    )


@dataclass(frozen=True)
class Model:
    """A logistic model on standardized features: logit = intercept + sum(coef * z)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logit(self, values: tuple[float, ...]) -> float:
        z = self.intercept
        for value, mean, scale, coef in zip(values, self.mean, self.scale, self.coef, strict=True):
            z += coef * (value - mean) / scale
        return z

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model:
        data = json.loads(path.read_text("utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: fitted on features {data['features']}, not {FEATURES}")
        return cls(
            tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), data["intercept"]
        )

    def save(self, path: Path = MODEL_FILE, about: str = "") -> None:
        data = {
            "about": about,
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
