"""Memory over a long crawl: does resident memory stay flat as pages go by?

Serves a generated site of N articles (default 20,000, plus listing pages) on loopback and
crawls it with politeness off, once with a bare Scrapy spider that only follows links (the
baseline: what Scrapy itself keeps per page — its duplicate filter and scheduler) and once with
`syndetect crawl` (extraction workers, database, WARC archive). The resident memory of each
crawl's process tree (the crawler and its extraction workers) is sampled every second; the
script prints it at 25, 50, 75 and 90 % of the crawl's duration and the growth from 25 to 90 %
(and to 75 %) per 1,000 pages, for the whole tree, the crawling process and its workers.

    python bench/memory.py [--articles 20000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from crawl import bare_command, start_site, syndetect_command, write_config  # noqa: E402

PAGE = 4096


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (0 for one that is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE / 2**20
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                children = [int(child) for child in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        found += children
        pending += children
    return found


def sampled_run(command: list[str], cwd: Path) -> tuple[float, list[tuple[float, float]]]:
    """Run command to completion; its duration and, once a second, the RSS of the process
    itself and of its descendants (extraction workers)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd)
    samples: list[tuple[float, float]] = []
    while process.poll() is None:
        children = sum(rss_mb(child) for child in descendants(process.pid))
        samples.append((rss_mb(process.pid), children))
        time.sleep(1.0)
    if process.returncode:
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    return time.perf_counter() - started, samples


def report(name: str, pages: int, samples: list[tuple[float, float]]) -> None:
    if len(samples) < 10:
        print(f"{name}: too short to sample ({len(samples)} s); use more --articles")
        return
    # From a quarter of the crawl (start-up done: imports, worker processes) to nine tenths
    # (before the workers exit); and to three quarters, which leaves out the steps of the last
    # stretch (a hash table doubling, the crawl's end).
    marks = (0.25, 0.5, 0.75, 0.9)
    at = [samples[int(len(samples) * mark)] for mark in marks]
    total = [main + children for main, children in at]

    def growth(values: list[float], end: int) -> float:
        return (values[end] - values[0]) / (pages * (marks[end] - marks[0])) * 1000

    print(
        f"{name}: RSS at 25/50/75/90% of the crawl: "
        + " / ".join(f"{mb:.0f}" for mb in total)
        + f" MB (this process: {' / '.join(f'{m:.0f}' for m, _ in at)}); peak "
        + f"{max(m + c for m, c in samples):.0f} MB; growth per 1,000 pages {growth(total, 3):+.2f}"
        + f" MB to 90% (this process {growth([m for m, _ in at], 3):+.2f}, its workers "
        + f"{growth([c for _, c in at], 3):+.2f}), {growth(total, 2):+.2f} MB to 75%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    server, base, pages = start_site(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bare_s, bare = sampled_run(bare_command(base), workdir)
        config = write_config(workdir / "memory.toml", "memory", base)
        ours_s, ours = sampled_run(syndetect_command(config, workdir / "memory.db"), workdir)
    server.terminate()
    print(f"bare Scrapy: {pages / bare_s:.0f} pages/s; syndetect: {pages / ours_s:.0f} pages/s")
    report("bare Scrapy (baseline)", pages, bare)
    report("syndetect crawl", pages, ours)


if __name__ == "__main__":
    main()
