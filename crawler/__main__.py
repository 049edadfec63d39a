"""`syndetect` and `python -m crawler`: the command line, imported only when it runs.

A worker process started by spawn (extraction, matching, evidence pages) runs the program's
main module again before its first job. This module is that main module: it costs a worker
nothing, where `crawler.cli` would import the database layer and every command (about 0.4 s of
CPU and 40 MB a worker)."""

from __future__ import annotations

import sys


def run() -> int:
    from crawler.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
