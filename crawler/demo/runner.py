"""`syndetect demo`: serve the bundled demo web on loopback, crawl it, match, print the report."""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path

from crawler.demo.render import load_content
from crawler.demo.server import LoopbackWeb, serve_web
from db.session import resolve_url

# How each demo site exposes its articles, so every discovery path of the crawler is exercised;
# sites not named here list their articles on paginated home pages.
DISCOVERY = {
    "daily-planet": "sitemap",
    "copycat-wire": "sitemap",
    "nouvelles-monde": "feed",
    "noticias-hoy": "feed",
}
# A fixed port keeps the demo's URLs stable, so running it again updates the same rows.
DEMO_PORT = 8765
FAST_CRAWL = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def discovery_of(content: dict[str, dict]) -> dict[str, str]:
    return {name: DISCOVERY.get(name, "pagination") for name in content}


def write_config(web: LoopbackWeb, content: dict[str, dict], path: Path, crawl: dict) -> Path:
    """A sites file for the served web: one [[site]] per site, start page = home page."""
    lines = ["[crawl]"] + [f"{key} = {_toml(value)}" for key, value in crawl.items()]
    for name, base in web.bases.items():
        site = content[name]
        lines += [
            "",
            "[[site]]",
            f"name = {_toml(name)}",
            f"role = {_toml(site['role'])}",
            f"start_urls = [{_toml(base + '/')}]",
            f"language = {_toml(site['language'])}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_demo(args: argparse.Namespace, crawl_and_match: Callable[[argparse.Namespace], int]) -> int:
    content = load_content()
    discovery = discovery_of(content)
    with ExitStack() as stack:
        try:
            web = stack.enter_context(serve_web(content, discovery, port=DEMO_PORT))
        except OSError:
            # The fixed port is taken (another demo running?): any free port still works.
            web = stack.enter_context(serve_web(content, discovery, port=0))
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="syndetect-demo-")))
        args.config = str(write_config(web, content, tmp / "demo.toml", FAST_CRAWL))
        if not args.quiet:
            for name, base in web.bases.items():
                print(f"demo: serving {name} at {base}/", file=sys.stderr)
        status = crawl_and_match(args)
        print(
            f"\nThe database is {resolve_url(args.db)}; explore it with:\n"
            "  sqlite3 syndetect.db 'select * from site_report'\n"
            "  syndetect export matches --format csv"
        )
        if args.serve:
            print("demo: serving until Ctrl-C", file=sys.stderr)
            with suppress(KeyboardInterrupt):
                threading.Event().wait()
        return status
