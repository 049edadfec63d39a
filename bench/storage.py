"""Database size per article: what each table and its indexes weigh after a real load.

The load is bench/throughput.py's syndication load: the first stories up to `--texts` texts
(each corpus article with a long machine translation on a source site, one or two of its
machine translations on two farm sites), through `syndetect ingest` per site + `syndetect match`
into a fresh SQLite database. Prints bytes per article
by table (SQLite's dbstat: bytes in use, indexes counted with their table), the same beyond the
articles' text and title, the average evidence per match, and how long `Fingerprint.from_bytes`
takes over every stored fingerprint (best of `--rounds`, alternating between the checkouts).
With `--against DIR` (a checkout of another revision, e.g. `git worktree add /tmp/main main`)
the same load goes through that code too, in this session.

    python bench/storage.py [--texts 2800] [--against DIR] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROLES, story_texts, write_jsonl  # noqa: E402

HERE = Path(__file__).resolve().parents[1]

# Run inside the measured checkout: the best of three passes of from_bytes over every row.
TIME_LOADING = """
import sqlite3, sys, time
from dedup.fingerprint import Fingerprint
rows = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT data FROM fingerprints")]
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    for data in rows:
        Fingerprint.from_bytes(data)
    best = min(best, time.perf_counter() - started)
print(best / len(rows) * 1e6)
"""


def build(tree: Path, paths: dict[str, Path], database: Path) -> None:
    """Ingest every site and match them with the code of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cli = [sys.executable, "-m", "crawler.cli", "--db", f"sqlite:///{database}", "--quiet"]
    for site, path in paths.items():
        command = [*cli, "ingest", str(path), "--site", site, "--role", ROLES[site]]
        subprocess.run(command, check=True, cwd=tree, env=env)
    subprocess.run([*cli, "match"], check=True, cwd=tree, env=env)


def measure(database: Path) -> dict:
    """Bytes in use per table (its indexes included), and the figures per article and match."""
    db = sqlite3.connect(database)
    owner = dict(db.execute("SELECT name, tbl_name FROM sqlite_schema WHERE type != 'view'"))
    tables: dict[str, list[int]] = {}
    for name, used in db.execute("SELECT name, sum(pgsize - unused) FROM dbstat GROUP BY name"):
        table = owner.get(name, name)
        tables.setdefault(table, [0, 0])[name != table] += used
    one = lambda sql: db.execute(sql).fetchone()[0] or 0  # noqa: E731
    return {
        "tables": tables,
        "file": database.stat().st_size,
        "articles": one("SELECT count(*) FROM articles"),
        "matches": one("SELECT count(*) FROM matches"),
        "text": one(
            "SELECT sum(length(CAST(text AS BLOB)) + length(CAST(coalesce(title, '') AS BLOB)))"
            " FROM articles"
        ),
        "evidence": one("SELECT sum(length(CAST(evidence AS BLOB))) FROM matches"),
        "fingerprint": one("SELECT sum(length(data)) FROM fingerprints"),
        "signatures": one("SELECT sum(length(signatures)) FROM fingerprints"),
    }


def loading_time(tree: Path, database: Path) -> float:
    """µs per `Fingerprint.from_bytes` over every row, with the code of `tree`."""
    timing = subprocess.run(
        [sys.executable, "-c", TIME_LOADING, str(database)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    return float(timing.stdout)


def report(label: str, m: dict) -> None:
    n = m["articles"]
    total = sum(sum(parts) for parts in m["tables"].values())
    print(f"\n## {label}: {n} articles, {m['matches']} matches, file {m['file'] / 1e6:.1f} MB")
    print(f"{'table':<22} {'data B/article':>15} {'indexes B/article':>18}")
    for table, (data, indexes) in sorted(m["tables"].items(), key=lambda t: -sum(t[1])):
        if data + indexes < n:
            continue  # under a byte per article: the empty tables of this load
        print(f"{table:<22} {data / n:>15.0f} {indexes / n:>18.0f}")
    print(f"{'total in use':<22} {total / n:>15.0f}")
    print(f"{'beyond text and title':<22} {_beyond_text(m):>15.0f}")
    print(
        f"evidence {m['evidence'] / max(1, m['matches']):.0f} B/match; fingerprint data "
        f"{m['fingerprint'] / n:.0f} B + signatures {m['signatures'] / n:.0f} B per article; "
        f"Fingerprint.from_bytes best {m['from_bytes_us']:.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2800, help="texts in the load")
    parser.add_argument("--against", type=Path, help="a checkout to measure first, as baseline")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of timing from_bytes")
    args = parser.parse_args()
    trees = ([("baseline " + str(args.against), args.against)] if args.against else []) + [
        ("this checkout", HERE)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_jsonl(story_texts(random.Random(11)), args.texts, Path(tmp))
        databases = [Path(tmp) / f"storage-{number}.db" for number in range(len(trees))]
        for (_, tree), database in zip(trees, databases, strict=True):
            build(tree.resolve(), paths, database)
        results = [measure(database) for database in databases]
        # Loading is timed round after round, alternating between the checkouts.
        for result in results:
            result["from_bytes_us"] = float("inf")
        for _ in range(args.rounds):
            for (_, tree), database, result in zip(trees, databases, results, strict=True):
                spent = loading_time(tree.resolve(), database)
                result["from_bytes_us"] = min(result["from_bytes_us"], spent)
        for (label, _), result in zip(trees, results, strict=True):
            report(label, result)
    if len(results) == 2:
        before, after = (_beyond_text(r) for r in results)
        ratio = results[1]["from_bytes_us"] / results[0]["from_bytes_us"]
        print(
            f"\nbeyond text and title: {before:.0f} → {after:.0f} B/article ({after / before:.2f}×)"
        )
        print(f"Fingerprint.from_bytes: {ratio:.2f}× the baseline's time")


def _beyond_text(m: dict) -> float:
    return (sum(map(sum, m["tables"].values())) - m["text"]) / m["articles"]


if __name__ == "__main__":
    main()
