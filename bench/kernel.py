"""The MinHash kernel alone: word 5-shingles of long corpus documents to a 128-permutation
signature, per document, in four implementations run alternately in this process:

- datasketch `MinHash.update` per shingle (the naive pipeline's kernel, the baseline);
- datasketch `MinHash.update_batch`;
- rensa `RMinHash.update` (Rust; the fastest MinHash on PyPI; `pip install rensa`, skipped
  when absent);
- syndetect's kernel (`dedup.minhash`): words hashed once each, shingles mixed from the word
  hashes and permuted in one numpy expression.

Prints documents/s, best of N rounds, and each one's ratio to the baseline.

    python bench/kernel.py [--docs 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from datasketch import MinHash

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from corpus import documents, is_long  # noqa: E402

from dedup.minhash import NUM_PERM, hash64, shingle_hashes, signature  # noqa: E402

SHINGLE = 5


def shingles(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]


def datasketch_update(words: list[str]) -> object:
    m = MinHash(num_perm=NUM_PERM)
    for shingle in shingles(words):
        m.update(shingle.encode("utf-8"))
    return m.hashvalues


def datasketch_batch(words: list[str]) -> object:
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch([s.encode("utf-8") for s in shingles(words)])
    return m.hashvalues


def syndetect_kernel(words: list[str]) -> object:
    units = np.fromiter((hash64(w) for w in words), dtype=np.uint64, count=len(words))
    return signature(shingle_hashes(units, SHINGLE))


def rensa_kernel() -> Callable[[list[str]], object] | None:
    try:
        from rensa import RMinHash
    except ImportError:
        return None

    def run(words: list[str]) -> object:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(shingles(words))
        return m.digest()

    return run


def corpus_words(count: int) -> list[list[str]]:
    docs = []
    for doc in documents():
        if doc["lang"] not in {"ja", "zh"} and is_long(doc["text"], doc["lang"]):
            docs.append(doc["text"].split())
            if len(docs) == count:
                break
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    docs = corpus_words(args.docs)
    kernels: dict[str, Callable[[list[str]], object]] = {
        "datasketch update per shingle (baseline)": datasketch_update,
        "datasketch update_batch": datasketch_batch,
        "syndetect numpy kernel": syndetect_kernel,
    }
    rensa = rensa_kernel()
    if rensa is None:
        print("rensa not installed (pip install rensa): skipped")
    else:
        kernels["rensa RMinHash"] = rensa
    best = dict.fromkeys(kernels, float("inf"))
    for _ in range(args.rounds):
        for name, kernel in kernels.items():
            started = time.perf_counter()
            for words in docs:
                kernel(words)
            best[name] = min(best[name], time.perf_counter() - started)
    baseline = best["datasketch update per shingle (baseline)"]
    words = sum(len(d) for d in docs)
    print(f"{len(docs)} documents, {words / len(docs):.0f} words each on average")
    for name, seconds in best.items():
        print(f"{name:42s} {len(docs) / seconds:9.0f} docs/s  {baseline / seconds:6.1f}x")


if __name__ == "__main__":
    main()
