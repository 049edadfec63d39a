"""Scale of the candidate index: insert and query cost per article, load rate, memory.

Synthetic signatures (random, like unrelated articles, plus one near-duplicate per query so
queries find something) go into `dedup.CandidateIndex` at growing sizes, each size in a fresh
process so that memory figures are its own. Prints per size: insert µs/article (= load rate),
query p50/p99 ms, resident memory, and the growth of per-article cost from the smallest size.

    python bench/scale.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np

NUM_PERM = 128


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


def fake(rng: np.random.Generator) -> SimpleNamespace:
    """What CandidateIndex reads of a fingerprint: its three signatures."""
    return SimpleNamespace(
        sig_lexical=rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32),
        sig_anchor=rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32),
        sig_number=rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32),
    )


def measure(size: int, queries: int = 2000) -> dict:
    from dedup import CandidateIndex

    rng = np.random.default_rng(size)
    base = rss_mb()
    index = CandidateIndex()
    started = time.perf_counter()
    for key in range(size):
        index.insert(str(key), fake(rng))
    insert = (time.perf_counter() - started) / size
    memory = rss_mb() - base
    times = []
    for _ in range(queries):
        probe = fake(rng)
        started = time.perf_counter()
        index.query(probe)
        times.append(time.perf_counter() - started)
    return {
        "size": size,
        "insert_us": insert * 1e6,
        "load_per_s": 1 / insert,
        "query_p50_ms": float(np.percentile(times, 50) * 1e3),
        "query_p99_ms": float(np.percentile(times, 99) * 1e3),
        "rss_mb": memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    results = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout))
        r = results[-1]
        print(
            f"{r['size']:>9,} articles: insert {r['insert_us']:7.1f} µs ({r['load_per_s']:,.0f}/s),"
            f" query p50 {r['query_p50_ms']:.2f} ms p99 {r['query_p99_ms']:.2f} ms,"
            f" index RSS {r['rss_mb']:,.0f} MB ({r['rss_mb'] * 2**20 / r['size']:,.0f} B/article)"
        )
    first, last = results[0], results[-1]
    cost = lambda r: r["insert_us"] + r["query_p50_ms"] * 1e3  # noqa: E731
    print(
        f"per-article match cost growth {first['size']:,} → {last['size']:,}: "
        f"{cost(last) / cost(first):.2f}× (target < 2×)"
    )


if __name__ == "__main__":
    main()
