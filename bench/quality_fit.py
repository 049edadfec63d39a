"""Fit the translation verifier's logistic model (dedup/verify/model.json) on the candidate
pairs of the tune half's world, and show precision/recall of candidate pairs by threshold on
the logit. With --write, the fitted model replaces dedup/verify/model.json, which the verifier
loads; re-measure with bench/quality.py after (docs/quality.md).

    python bench/quality_fit.py [--split tune] [--write]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import documents, is_long  # noqa: E402
from quality_world import build_world  # noqa: E402

from dedup import CandidateIndex, Document  # noqa: E402
from dedup.fingerprint import fingerprint  # noqa: E402
from dedup.verify import FEATURES, VERIFIER, Model, explain  # noqa: E402
from dedup.verify.model import MODEL_FILE  # noqa: E402


def candidate_pairs(split: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, label (same corpus document: a copy) and long flag of every candidate pair."""
    world = build_world(list(documents()), split, seed)
    fps = {}
    for a in world.articles:
        fp = fingerprint(Document(a.text, a.lang, a.title or None))
        if fp is not None:
            fps[a.url] = fp
    index = CandidateIndex()
    for url, fp in fps.items():
        index.insert(url, fp)
    by_url = world.by_url()
    seen: set[frozenset[str]] = set()
    x, y, long_ = [], [], []
    for url, fp in fps.items():
        for other in index.query(fp):
            pair = frozenset((url, other))
            if other == url or pair in seen:
                continue
            seen.add(pair)
            facts = explain(fp, fps[other])
            if (
                facts["floor_sentences"] < VERIFIER.translation_min_sentences
                or facts["floor_weight"] < VERIFIER.translation_min_weight
                or facts["containment"] >= 0.5
            ):
                continue  # decided before the model: too little alignment, or a verbatim copy
            a, b = by_url[url], by_url[other]
            x.append([facts[f] for f in FEATURES])
            y.append(world.same_story(a, b))
            original = a if a.kind == "original" else b
            long_.append(is_long(original.text, original.lang))
    return np.array(x), np.array(y, dtype=float), np.array(long_, dtype=bool)


def fit(x: np.ndarray, y: np.ndarray, steps: int = 6000, rate: float = 1.0, l2: float = 1e-3):
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * w)
    return mean, scale, w[:-1], w[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="tune")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write the model to {MODEL_FILE}")
    args = parser.parse_args()
    x, y, long_ = candidate_pairs(args.split, args.seed)
    mean, scale, coef, intercept = fit(x, y)
    print(f"{len(y)} candidate pairs, {int(y.sum())} copies")
    print(f"FEATURES = {FEATURES}")
    print(f"MEAN = {tuple(round(float(v), 4) for v in mean)}")
    print(f"SCALE = {tuple(round(float(v), 4) for v in scale)}")
    print(f"COEF = {tuple(round(float(v), 3) for v in coef)}")
    print(f"INTERCEPT = {round(float(intercept), 3)}")
    if args.write:
        model = Model(
            mean=tuple(round(float(v), 4) for v in mean),
            scale=tuple(round(float(v), 4) for v in scale),
            coef=tuple(round(float(v), 3) for v in coef),
            intercept=round(float(intercept), 3),
        )
        about = f"Fitted by bench/quality_fit.py on the {args.split} half, seed {args.seed}."
        model.save(MODEL_FILE, about)
        print(f"written to {MODEL_FILE}")
    logit = ((x - mean) / scale) @ coef + intercept
    for threshold in (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0):
        cells = []
        for name, mask in (("long", long_), ("short", ~long_)):
            hit = (logit >= threshold) & mask
            tp, fp = int((hit & (y == 1)).sum()), int((hit & (y == 0)).sum())
            pos = int(((y == 1) & mask).sum())
            cells.append(f"{name}: P {tp / max(1, tp + fp):.4f} R {tp / max(1, pos):.3f} FP {fp}")
        print(f"logit >= {threshold:+.1f}: " + " | ".join(cells))


if __name__ == "__main__":
    main()
