"""What every process of syndetect sets up: the garbage collector's thresholds (collect_rarely)."""

from __future__ import annotations

import gc

from crawler.cli import main
from crawler.worker_process import GC_THRESHOLDS, worker_pool


def test_a_pool_worker_collects_garbage_rarely() -> None:
    with worker_pool(1) as pool:
        assert pool.submit(gc.get_threshold).result() == GC_THRESHOLDS


def test_the_command_line_collects_garbage_rarely(capsys) -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        main([])  # no command: the list of commands
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)
