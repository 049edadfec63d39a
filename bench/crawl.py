"""Crawl throughput: `syndetect crawl` against a bare Scrapy spider on the same generated site.

Both crawl the same ≥2,000-article site served on loopback from a separate process, with
politeness off (the settings the issue names), alternating runs to share the machine's noise.
Prints pages/s for each and the ratio syndetect / bare.

    python bench/crawl.py [--articles 2000] [--rounds 2]
    python bench/crawl.py --theme-kb 60     # article pages of a real site's weight (~62 KB)
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
ADDRESS = "127.0.0.90"


def serve_forever(articles: int, port_queue: multiprocessing.Queue, theme_kb: int = 0) -> None:
    sys.path.insert(0, str(HERE))
    from sitegen import generate_site

    from crawler.demo.server import serve

    with serve({"bench": (ADDRESS, 0)}) as web:
        web.pages["bench"] = generate_site(articles, theme_kb=theme_kb)
        port_queue.put((web.bases["bench"], len(web.pages["bench"])))
        while True:
            time.sleep(3600)


def start_site(articles: int, theme_kb: int = 0) -> tuple[multiprocessing.Process, str, int]:
    """The generated site served from its own process: (process, base URL, page count)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve_forever, args=(articles, queue, theme_kb), daemon=True
    )
    server.start()
    base, pages = queue.get(timeout=300)
    print(f"site: {base} with {pages} pages ({articles} articles)")
    return server, base, pages


def bare_command(base: str) -> list[str]:
    """The baseline crawl, run outside the project (no scrapy.cfg): Scrapy's defaults plus the
    shared settings."""
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(HERE / "bare_spider.py"),
        "-a",
        f"start={base}/",
        "-s",
        "LOG_LEVEL=ERROR",
        "-s",
        "ROBOTSTXT_OBEY=True",
    ]
    for key, value in SETTINGS.items():
        args += ["-s", f"{key}={value}"]
    return args


def run_bare(base: str, workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(bare_command(base), check=True, cwd=workdir)
    return time.perf_counter() - started


def write_config(path: Path, name: str, base: str) -> Path:
    """A one-site config with the benchmark's crawl settings (politeness off)."""
    lines = ["[crawl]"] + [
        f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in SETTINGS.items()
    ]
    lines += [
        "",
        "[[site]]",
        f'name = "{name}"',
        'role = "source"',
        f'start_urls = ["{base}/"]',
        "max_pages = 100000",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def syndetect_command(config: Path, db: Path) -> list[str]:
    """`syndetect crawl CONFIG` into the SQLite database `db`."""
    command = [sys.executable, "-m", "crawler.cli", "--db", f"sqlite:///{db}", "--quiet"]
    return [*command, "crawl", str(config)]


def timed_crawl(config: Path, db: Path) -> float:
    started = time.perf_counter()
    subprocess.run(syndetect_command(config, db), check=True)
    return time.perf_counter() - started


def run_syndetect(base: str, workdir: Path) -> tuple[float, int]:
    config = write_config(workdir / "bench.toml", "bench", base)
    db = workdir / f"bench-{time.monotonic_ns()}.db"
    elapsed = timed_crawl(config, db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM articles")).scalar()
    engine.dispose()
    return elapsed, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--theme-kb", type=int, default=0, help="theme furniture per article page (0: 2 KB pages)"
    )
    args = parser.parse_args()
    server, base, pages = start_site(args.articles, args.theme_kb)
    bare_times, our_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            bare_times.append(run_bare(base, Path(tmp)))
            elapsed, stored = run_syndetect(base, Path(tmp))
            our_times.append(elapsed)
            print(
                f"round {round_ + 1}: bare {pages / bare_times[-1]:.0f} pages/s, "
                f"syndetect {pages / elapsed:.0f} pages/s, {stored} articles stored"
            )
            if stored != args.articles:
                print(f"WARNING: {args.articles - stored} articles not stored")
    server.terminate()
    bare, ours = min(bare_times), min(our_times)
    print(
        f"best: bare {pages / bare:.0f} pages/s ({bare:.1f}s), "
        f"syndetect {pages / ours:.0f} pages/s ({ours:.1f}s)"
    )
    print(f"ratio syndetect/bare: {bare / ours:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
