"""Ingest + match throughput: the product against the naive datasketch pipeline.

The same 2,000 long documents from the corpus (1,000 stories, one text of each on a source site
and another, a machine translation, on a suspect site: see story_pairs) go through
`syndetect ingest` ×2 + `syndetect match` into a fresh SQLite database, and through the naive
pipeline a user writes first: word 5-shingles, `MinHash.update` per shingle (128 permutations),
`MinHashLSH.query` + `insert` per document, on the same JSONL files. Both run in this session,
alternating, best of N; prints documents/s and the ratio.

    python bench/throughput.py [--docs 1000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import documents, is_long  # noqa: E402


def story_pairs(rng: random.Random) -> Iterator[tuple[dict, dict]]:
    """(source text, suspect text) pairs of one story, each text {text, lang}: first every long
    original with one of its machine translations; then, since the corpus has fewer than 1,000
    such originals, two other machine translations of one original (another language or
    another system)."""
    stories = []
    for doc in documents():
        mts = [
            t for t in doc["translations"] if t["kind"] == "mt" and is_long(t["text"], t["lang"])
        ]
        if is_long(doc["text"], doc["lang"]) and mts:
            stories.append((doc, mts))
    for doc, mts in stories:
        yield doc, rng.choice(mts)
    for _, mts in stories:
        if len(mts) >= 2:
            yield tuple(rng.sample(mts, 2))


def write_jsonl(per_site: int, workdir: Path) -> tuple[Path, Path]:
    rng = random.Random(11)
    sources, suspects = [], []
    for number, (source, suspect) in enumerate(story_pairs(rng)):
        for rows, text, site in ((sources, source, "source"), (suspects, suspect, "suspect")):
            rows.append(
                {
                    "url": f"https://{site}.example/story-{number}",
                    "title": "",
                    "text": text["text"],
                    "lang": text["lang"],
                }
            )
        if len(sources) == per_site:
            break
    paths = workdir / "source.jsonl", workdir / "suspect.jsonl"
    for path, rows in zip(paths, (sources, suspects), strict=True):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return paths


def naive(paths: tuple[Path, Path]) -> tuple[float, int]:
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    n = 0
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                words = doc["text"].split()
                m = MinHash(num_perm=128)
                for i in range(max(1, len(words) - 4)):
                    m.update(" ".join(words[i : i + 5]).encode("utf-8"))
                lsh.query(m)
                lsh.insert(doc["url"], m)
                n += 1
    return time.perf_counter() - started, n


def product(paths: tuple[Path, Path], workdir: Path) -> tuple[float, int]:
    db = f"sqlite:///{workdir / f'tp-{time.monotonic_ns()}.db'}"
    cli = [sys.executable, "-m", "crawler.cli", "--db", db, "--quiet"]
    started = time.perf_counter()
    subprocess.run(
        [*cli, "ingest", str(paths[0]), "--site", "source", "--role", "source"], check=True
    )
    subprocess.run(
        [*cli, "ingest", str(paths[1]), "--site", "suspect", "--role", "suspect"], check=True
    )
    subprocess.run([*cli, "match"], check=True)
    elapsed = time.perf_counter() - started
    out = subprocess.run([*cli, "export", "matches"], check=True, capture_output=True, text=True)
    return elapsed, len(out.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents per site")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_jsonl(args.docs, Path(tmp))
        total = sum(1 for p in paths for _ in p.open(encoding="utf-8"))
        naive_best = product_best = float("inf")
        for round_ in range(args.rounds):
            naive_s, _ = naive(paths)
            product_s, matches = product(paths, Path(tmp))
            naive_best, product_best = min(naive_best, naive_s), min(product_best, product_s)
            print(
                f"round {round_ + 1}: naive {total / naive_s:.0f} docs/s, "
                f"syndetect {total / product_s:.0f} docs/s ({matches} matches)"
            )
    print(f"documents: {total}; best naive {naive_best:.2f}s, syndetect {product_best:.2f}s")
    print(f"ratio syndetect/naive: {naive_best / product_best:.2f} (target >= 10)")


if __name__ == "__main__":
    main()
