"""Ingest + match throughput: the product against the naive datasketch pipeline, as the marginal
cost per document.

The load is syndication as it happens: each story is a corpus article with a long machine
translation, published once on a source site, and one or two of its machine translations (other
systems or languages) as content farms publish them, each on a farm site of its own: 2-3 texts
per story (story_texts). Two corpora, the first stories up to --small texts and up to --big
texts, go through `syndetect ingest` per site + `syndetect match` into a fresh SQLite database,
and through the naive pipeline a user writes first: word 5-shingles, `MinHash.update` per
shingle (128 permutations), `MinHashLSH.query` + `insert` per document. Both pipelines and
both sizes run in this session, alternating, best of N. The marginal rate, (big - small texts)
/ (T(big) - T(small)), leaves out what a run pays once (start-up, word lists, imports): what a
backfill of a large archive sees. Prints both rates per pipeline and their ratios, in wall
time and in CPU time (syndetect's: its processes and match workers together).

    python bench/throughput.py [--small 800] [--big 2800] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import documents, is_long  # noqa: E402

SITES = ("source", "farm-a", "farm-b")
ROLES = {"source": "source", "farm-a": "suspect", "farm-b": "suspect"}
RUNS = ("naive", "syndetect")
CLOCKS = ("wall", "cpu")


def story_texts(rng: random.Random) -> list[list[dict]]:
    """Stories in a random order, each [original, machine translation, (another one)] as
    {text, lang}: every corpus article with a long machine translation, and two of its long
    machine translations (one where it has only one)."""
    stories = []
    for doc in documents():
        mts = [
            t for t in doc["translations"] if t["kind"] == "mt" and is_long(t["text"], t["lang"])
        ]
        if mts:
            stories.append([doc, *rng.sample(mts, min(2, len(mts)))])
    rng.shuffle(stories)
    return stories


def write_jsonl(stories: list[list[dict]], limit: int, workdir: Path) -> dict[str, Path]:
    """The first stories up to `limit` texts, one JSONL file per site."""
    rows: dict[str, list[str]] = {site: [] for site in SITES}
    count = 0
    for number, texts in enumerate(stories):
        if count + len(texts) > limit:
            break
        for site, text in zip(SITES, texts, strict=False):
            row = {"url": f"https://{site}.example/story-{number}", "title": "", **text}
            rows[site].append(json.dumps({k: row[k] for k in ("url", "title", "text", "lang")}))
        count += len(texts)
    workdir.mkdir(parents=True, exist_ok=True)
    paths = {site: workdir / f"{site}.jsonl" for site in SITES}
    for site, path in paths.items():
        path.write_text("".join(line + "\n" for line in rows[site]), encoding="utf-8")
    return paths


def naive(paths: dict[str, Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds)."""
    started, cpu = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for path in paths.values():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                words = doc["text"].split()
                m = MinHash(num_perm=128)
                for i in range(max(1, len(words) - 4)):
                    m.update(" ".join(words[i : i + 5]).encode("utf-8"))
                lsh.query(m)
                lsh.insert(doc["url"], m)
    return time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def product(paths: dict[str, Path], workdir: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the processes and their match workers, matches)."""
    db = f"sqlite:///{workdir / f'tp-{time.monotonic_ns()}.db'}"
    cli = [sys.executable, "-m", "crawler.cli", "--db", db, "--quiet"]
    started, cpu = time.perf_counter(), _children_cpu()
    for site, path in paths.items():
        ingest = [*cli, "ingest", str(path), "--site", site, "--role", ROLES[site]]
        subprocess.run(ingest, check=True)
    subprocess.run([*cli, "match"], check=True)
    elapsed, used = time.perf_counter() - started, _children_cpu() - cpu
    out = subprocess.run([*cli, "export", "matches"], check=True, capture_output=True, text=True)
    return elapsed, used, len(out.stdout.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=800, help="texts in the small corpus")
    parser.add_argument("--big", type=int, default=2800, help="texts in the big corpus")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    stories = story_texts(random.Random(11))
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {
            size: write_jsonl(stories, limit, Path(tmp) / size)
            for size, limit in (("small", args.small), ("big", args.big))
        }
        texts = {
            size: sum(1 for p in paths.values() for _ in p.open(encoding="utf-8"))
            for size, paths in corpora.items()
        }
        # Best of the rounds, in wall and in CPU seconds (on a machine other jobs keep busy,
        # CPU time is what this process controls).
        best = {
            (run, size, clock): float("inf") for run in RUNS for size in corpora for clock in CLOCKS
        }
        for round_ in range(args.rounds):
            for size, paths in corpora.items():
                naive_s, naive_cpu = naive(paths)
                product_s, product_cpu, matches = product(paths, Path(tmp))
                for key, value in (
                    (("naive", size, "wall"), naive_s),
                    (("naive", size, "cpu"), naive_cpu),
                    (("syndetect", size, "wall"), product_s),
                    (("syndetect", size, "cpu"), product_cpu),
                ):
                    best[key] = min(best[key], value)
                print(
                    f"round {round_ + 1}, {size} ({texts[size]} texts): "
                    f"naive {naive_s:.2f}s ({naive_cpu:.2f}s CPU), "
                    f"syndetect {product_s:.2f}s ({product_cpu:.2f}s CPU, {matches} matches)",
                    flush=True,
                )
    extra = texts["big"] - texts["small"]
    for clock in CLOCKS:
        rates = {}
        for run in RUNS:
            small, big = best[run, "small", clock], best[run, "big", clock]
            rates[run] = extra / (big - small), texts["big"] / big
            print(
                f"{clock} {run}: best {small:.2f}s small, {big:.2f}s big; marginal "
                f"{rates[run][0]:.0f} docs/s, end to end {rates[run][1]:.0f} docs/s"
            )
        marginal, whole = (rates["syndetect"][k] / rates["naive"][k] for k in (0, 1))
        print(f"{clock} ratio syndetect/naive: marginal {marginal:.2f}, end to end {whole:.2f}")


if __name__ == "__main__":
    main()
