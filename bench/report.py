"""Cost of the HTML report at scale, against a plain CSV export of the same database.

Builds a synthetic SQLite database (`--sites` sites, a fifth of them sources; `--matches`
matches, a tenth of them siblings, spread over two years; articles of twelve sentences and
evidence as `match` writes it: spans of six aligned sentences of the two texts), then times,
each as the user runs it (a fresh `syndetect` process), `--rounds` times in turn:
- baseline: `syndetect export matches --format csv --out matches.csv`;
- `syndetect report --format html --out report/` into a new directory (index, sites' table and
  per-site pages, one evidence page per match), then again into the same directory (evidence
  pages are rewritten only when changed);
each as wall time and as CPU time (the command's processes together: on a shared machine the
wall time mostly measures the other jobs), with its ratio to the export's. When Chromium is
installed, it also times the browser opening and rendering index.html, against the same browser
opening an empty page, in turn.

    python bench/report.py [--sites 1000] [--matches 100000] [--rounds 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from db.evidence import passage_spans
from db.models import Article, CrawlRun, Match, Site
from db.session import connect

LANGS = ("en", "fr", "de", "es", "it", "pt")
WORDS = "council harbour minister vote budget tram river storm league museum court".split()
CHUNK = 20_000
SENTENCES = 12  # per article: about 220 words, a short news story


def sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def build(url: str, sites: int, matches: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = connect(url)
    start = datetime(2024, 1, 1)
    sources = max(1, sites // 5)
    siblings = matches // 10
    copies = matches - siblings
    site_rows = [
        {
            "id": n + 1,
            "name": f"{'source' if n < sources else 'farm'}-{n:04d}",
            "role": "source" if n < sources else "suspect",
            "language": "en" if n < sources else rng.choice(LANGS),
            "created_at": start,
        }
        for n in range(sites)
    ]
    farms = [row for row in site_rows if row["role"] == "suspect"]
    originals_per_source = max(1, copies // (2 * sources))
    articles, next_id = [], 1
    original_ids = []
    for site in site_rows[:sources]:
        for _ in range(originals_per_source):
            published = start + timedelta(hours=rng.randrange(2 * 365 * 24))
            articles.append(_article(next_id, site, published, rng, "en"))
            original_ids.append((articles[-1], published))
            next_id += 1
    match_rows, copies_of = [], {}
    for match_id in range(1, copies + 1):
        original, published = rng.choice(original_ids)
        farm = rng.choice(farms)
        copy_published = published + timedelta(hours=rng.uniform(0.5, 240))
        articles.append(_article(next_id, farm, copy_published, rng, farm["language"]))
        match_rows.append(_match(match_id, articles[-1], original, "original", rng, copy_published))
        copies_of.setdefault(original["id"], []).append(articles[-1])
        next_id += 1
    shared = [ids for ids in copies_of.values() if len(ids) > 1]
    pairs = set()
    while len(pairs) < siblings and shared:
        a, b = rng.sample(rng.choice(shared), 2)
        pairs.add((a["id"], b["id"]))
    by_id = {article["id"]: article for article in articles}
    for match_id, (a, b) in enumerate(sorted(pairs), start=copies + 1):
        a, b = by_id[a], by_id[b]
        match_rows.append(_match(match_id, a, b, "sibling", rng, start))
    finished = start + timedelta(days=2 * 365)
    runs = [
        {
            "site_id": row["id"],
            "started_at": finished,
            "finished_at": finished + timedelta(minutes=5),
            "status": "failed" if n % 97 == 0 else "finished",
            "pages_fetched": 0 if n % 97 == 0 else 120,
            "errors": 1 if n % 97 == 0 else 0,
        }
        for n, row in enumerate(site_rows)
    ]
    with engine.begin() as conn:
        for table, rows in ((Site, site_rows), (Article, articles), (Match, match_rows)):
            for i in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[i : i + CHUNK])
        conn.execute(insert(CrawlRun), runs)
    engine.dispose()


def _article(article_id: int, site: dict, published: datetime, rng, lang: str) -> dict:
    return {
        "id": article_id,
        "site_id": site["id"],
        "url": f"https://{site['name']}.example/{article_id}",
        "title": sentence(rng, 8),
        "published": published,
        "lang": lang,
        "lang_confidence": 0.99,
        "text": " ".join(sentence(rng) for _ in range(SENTENCES)),
        "word_count": 18 * SENTENCES,
        "content_hash": f"{article_id:064x}",
        "links": [],
        "first_seen": published,
        "last_seen": published,
    }


def _match(match_id: int, copy: dict, original: dict, relation: str, rng, when: datetime) -> dict:
    """A match as `match` stores it: six aligned sentences as spans of the two texts."""
    aligned = [(i, i) for i in range(6)]
    return {
        "id": match_id,
        "copy_id": copy["id"],
        "original_id": original["id"],
        "score": round(rng.uniform(0.6, 1.0), 3),
        "kind": rng.choice(("translation", "verbatim")),
        "relation": relation,
        "attributed": rng.random() < 0.3,
        "evidence": {
            "anchors": rng.sample(WORDS, 6),
            **passage_spans(original["text"], copy["text"], aligned),
        },
        "detected_at": when + timedelta(hours=rng.uniform(0, 48)),
    }


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a command, its worker processes included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def browser_seconds(page: Path) -> float:
    chromium = shutil.which("chromium")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    return timed([chromium, *flags, page.as_uri()])[0]


def line(label: str, run: tuple[float, float], export: tuple[float, float]) -> str:
    return (
        f"{label:<30} {run[0]:6.1f}s wall ({run[0] / export[0]:4.1f}x the export), "
        f"{run[1]:6.1f}s CPU ({run[1] / export[1]:4.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {len(os.sched_getaffinity(0))} cores")
    with tempfile.TemporaryDirectory(prefix="syndetect-bench-report-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}"
        start = time.perf_counter()
        build(url, args.sites, args.matches, args.seed)
        print(
            f"database: {args.sites} sites, {args.matches} matches, built in "
            f"{time.perf_counter() - start:.1f}s"
        )
        cli = [sys.executable, "-m", "crawler.cli", "--db", url, "--quiet"]
        for round_ in range(1, args.rounds + 1):
            out = work / f"report-{round_}"
            export = timed(
                [*cli, "export", "matches", "--format", "csv", "--out", str(work / "m.csv")]
            )
            report = timed([*cli, "report", "--format", "html", "--out", str(out)])
            # The nightly case: the same directory again, evidence pages already written.
            again = timed([*cli, "report", "--format", "html", "--out", str(out)])
            print(f"round {round_}, load average {os.getloadavg()[0]:.1f}")
            print(
                f"{'export matches --format csv':<30} {export[0]:6.1f}s wall, {export[1]:6.1f}s CPU"
            )
            print(line("report --format html", report, export))
            print(line("report again, same directory", again, export))
        index = out / "index.html"
        pages = sum(1 for _ in out.rglob("*.html"))
        print(f"{pages} pages; index.html {index.stat().st_size / 2**10:.0f} kB")
        if shutil.which("chromium"):
            empty = work / "empty.html"
            empty.write_text("<!DOCTYPE html><title>empty</title>", "utf-8")
            for _ in range(args.rounds):
                baseline, opened = browser_seconds(empty), browser_seconds(index)
                print(f"browser opens index.html: {opened:.1f}s (an empty page: {baseline:.1f}s)")


if __name__ == "__main__":
    main()
