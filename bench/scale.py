"""Scale of the candidate index: load rate, insert and query cost per article, memory.

Synthetic signatures (random, like unrelated articles; a fifth without a number signature) go
into `dedup.CandidateIndex` at growing sizes, each size and backend in a fresh process so that
memory figures are its own:
- compact: the default in-memory band store (dedup/bandstore.py);
- dict: datasketch's own in-memory storage (`storage_config={"type": "dict"}`), the baseline,
  run up to `--baseline-max` articles (it needs ~42 KB per article).

Per size and backend: bulk load rate (`insert_many` of the whole corpus by `--load-batch` rows,
as `match` loads the stored corpus, then a first query, before which the compact store sorts:
its vectorized path; one insert after another on datasketch's storage), per-key `insert` µs
(new articles added one at a time to the loaded index), `query` p50/p99 (a near-duplicate of an
indexed article, half its hash values changed, so that queries find something), the same query
through datasketch's `MinHashLSH.query` over the compact store (its per-band Python loop),
resident memory of the index, and the growth of per-article cost (insert + query p50).

    python bench/scale.py [--sizes 10000 100000 1000000] [--baseline-max 100000]
                          [--load-batch 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from types import SimpleNamespace

import numpy as np

from dedup.index import EMPTY, PERMS, SPACES


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


def signatures(rng: np.random.Generator, n: int, numbers: float = 0.8) -> dict[str, np.ndarray]:
    """(n, PERMS[space]) uint32 per space; a share of `numbers` have a number signature."""
    sigs = {name: rng.integers(0, 2**32, (n, PERMS[name]), dtype=np.uint32) for name in SPACES}
    sigs["number"][rng.random(n) >= numbers] = EMPTY
    return sigs


def fingerprint(sigs: dict[str, np.ndarray], row: int) -> SimpleNamespace:
    """What CandidateIndex reads of a fingerprint: its signatures (empty: a size-0 array)."""
    values = {name: sigs[name][row] for name in SPACES}
    return SimpleNamespace(
        **{
            f"sig_{name}": v if not (v == EMPTY).all() else np.zeros(0, dtype=np.uint32)
            for name, v in values.items()
        }
    )


def near_duplicate(rng: np.random.Generator, sigs: dict[str, np.ndarray], row: int) -> dict:
    out = {}
    for name in SPACES:
        values = sigs[name][row].copy()
        if not (values == EMPTY).all():
            changed = rng.random(values.size) < 0.5
            values[changed] = rng.integers(0, 2**32, int(changed.sum()), dtype=np.uint32)
        out[name] = values[None, :]
    return out


def timed(calls) -> np.ndarray:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return np.array(times)


def lsh_query(index, fp: SimpleNamespace) -> set:
    """The query through datasketch's MinHashLSH.query (per-band loop) over the index's store."""
    from dedup.index import _minhash, _signatures

    found = set()
    for name, values in _signatures(fp).items():
        found.update(index._lsh[name].query(_minhash(values)))
    return found


def measure(
    size: int, backend: str, batch_rows: int, inserts: int = 20_000, queries: int = 2000
) -> dict:
    from dedup import CandidateIndex

    rng = np.random.default_rng(size)
    sigs = signatures(rng, size)
    base = rss_mb()
    index = CandidateIndex(None if backend == "compact" else {"type": "dict"})
    keys = [f"https://site{i % 1000}.example/article/{i}" for i in range(size)]
    started = time.perf_counter()
    for start in range(0, size, batch_rows):
        batch = slice(start, start + batch_rows)
        index.insert_many(keys[batch], *(sigs[name][batch] for name in SPACES))
    # Loaded = searchable: the compact store sorts at its first query in each space.
    index.query(fingerprint(signatures(rng, 1, numbers=1.0), 0))
    load = time.perf_counter() - started
    memory = rss_mb() - base
    new = signatures(rng, inserts)
    insert = timed(
        lambda i=i: index.insert(f"new/{i}", fingerprint(new, i)) for i in range(inserts)
    )
    rows = rng.integers(0, size, queries)
    probes = [fingerprint(near_duplicate(rng, sigs, row), 0) for row in rows]
    found = [0]
    query = timed(lambda p=p: found.append(len(index.query(p))) for p in probes)
    result = {
        "size": size,
        "backend": backend,
        "load_per_s": size / load,
        "insert_us": float(insert.mean() * 1e6),
        "query_p50_ms": float(np.percentile(query, 50) * 1e3),
        "query_p99_ms": float(np.percentile(query, 99) * 1e3),
        "candidates": sum(found) / queries,
        "rss_mb": memory,
    }
    if backend == "compact":
        loop = timed(lambda p=p: lsh_query(index, p) for p in probes[:200])
        result["lsh_query_p50_ms"] = float(np.percentile(loop, 50) * 1e3)
    return result


def run(size: int, backend: str, batch_rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(size), backend, "--load-batch", str(batch_rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def show(r: dict) -> None:
    loop = f", MinHashLSH.query {r['lsh_query_p50_ms']:.2f} ms" if "lsh_query_p50_ms" in r else ""
    print(
        f"{r['backend']:>7} {r['size']:>9,}: load {r['load_per_s']:>9,.0f}/s,"
        f" insert {r['insert_us']:7.1f} µs, query p50 {r['query_p50_ms']:.2f} ms"
        f" p99 {r['query_p99_ms']:.2f} ms ({r['candidates']:.2f} candidates{loop}),"
        f" RSS {r['rss_mb']:,.0f} MB ({r['rss_mb'] * 2**20 / r['size']:,.0f} B/article)",
        flush=True,
    )


def growth(results: list[dict]) -> None:
    first, last = results[0], results[-1]
    cost = lambda r: r["insert_us"] + r["query_p50_ms"] * 1e3  # noqa: E731
    print(
        f"{first['backend']:>7} per-article cost (insert + query p50) growth"
        f" {first['size']:,} → {last['size']:,}: {cost(last) / cost(first):.2f}× (target < 2×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--baseline-max", type=int, default=100_000)
    parser.add_argument("--load-batch", type=int, default=10_000)  # as crawler/matching.py
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # child process: size backend
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1], args.load_batch)))
        return
    by_backend: dict[str, list[dict]] = {"dict": [], "compact": []}
    for size in args.sizes:
        for backend in by_backend:
            if backend == "dict" and size > args.baseline_max:
                continue
            by_backend[backend].append(run(size, backend, args.load_batch))
            show(by_backend[backend][-1])
    for results in by_backend.values():
        if len(results) > 1:
            growth(results)


if __name__ == "__main__":
    main()
