"""Memory over a long crawl: does resident memory stay flat as pages go by?

Serves a generated site of N articles (default 20,000, plus listing pages) on loopback and
crawls it with politeness off, once with a bare Scrapy spider that only follows links (the
baseline: what Scrapy itself keeps per page — its duplicate filter and scheduler) and once with
`syndetect crawl` (extraction workers, database, WARC archive). The resident memory of each
crawl's process tree (the crawler and its extraction workers) is sampled every second; the
script prints it at 25, 50, 75 and 90 % of the crawl's duration and the growth from 25 to 90 %,
per 1,000 pages.

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


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (0 for one that is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1])
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending += [int(child) for child in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total * PAGE / 2**20


def sampled_run(command: list[str], cwd: Path) -> tuple[float, list[float]]:
    """Run command to completion; its duration and its tree's RSS once a second."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd)
    samples: list[float] = []
    while process.poll() is None:
        samples.append(tree_rss_mb(process.pid))
        time.sleep(1.0)
    if process.returncode:
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    return time.perf_counter() - started, samples


def report(name: str, pages: int, samples: list[float]) -> None:
    if len(samples) < 10:
        print(f"{name}: too short to sample ({len(samples)} s); use more --articles")
        return
    # From a quarter of the crawl (start-up done: imports, worker processes) to nine tenths
    # (before the workers exit).
    marks = (0.25, 0.5, 0.75, 0.9)
    at = [samples[int(len(samples) * mark)] for mark in marks]
    growth = (at[-1] - at[0]) / (pages * (marks[-1] - marks[0])) * 1000
    print(
        f"{name}: RSS at 25/50/75/90% of the crawl: "
        + " / ".join(f"{mb:.0f}" for mb in at)
        + f" MB; peak {max(samples):.0f} MB; growth {growth:+.2f} MB per 1,000 pages"
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
