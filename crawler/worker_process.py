"""What every worker process of syndetect does first (extraction during a crawl, fingerprinting
and verification during `match`)."""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

PARENT_CHECK_SECONDS = 1.0
# The collector's generation thresholds for syndetect's processes (see collect_rarely).
GC_THRESHOLDS = (50_000, 20, 100)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that die with this one."""
    # spawn: forking a process that runs the reactor's threads is not safe. The parent's pid
    # is read here: read in a worker that starts after a kill, it would already be init's, and
    # the worker would wait for the wrong parent forever.
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )


def start_worker(parent: int | None = None) -> None:
    """The initializer of every worker pool; `parent`: the pid of the process that made the
    pool (default: this worker's parent now)."""
    exit_with_parent(parent)
    skip_teardown()
    collect_rarely()
    # A terminal's Ctrl-C reaches the whole process group; the parent decides how to stop (a
    # clean shutdown that still needs its workers), so a worker must not die of it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def collect_rarely() -> None:
    """Run the cyclic garbage collector less often. Matching allocates millions of small
    objects that live (the per-word caches, fingerprints, verdicts), and with the default
    thresholds (700, 10, 10) the collector walks them again and again, finding nothing:
    about 6% of a `match` run's CPU time. What the code frees, it frees by reference count."""
    gc.set_threshold(*GC_THRESHOLDS)


def skip_teardown() -> None:
    """Once the worker's loop has ended, leave without tearing the interpreter down: its results
    are sent by then, and freeing the word lists' millions of objects one by one kept `match`
    waiting about 2 s for its workers to exit."""
    atexit.register(os._exit, 0)


def exit_with_parent(parent: int | None = None) -> None:
    """Exit when the process that started this worker is gone. A parent killed with SIGKILL
    (an operator, the OOM killer, a scheduler's timeout) cannot shut its pool down, and its
    workers would otherwise wait forever, holding memory and the database's files. A worker
    still starting when its parent died already has init for parent: given `parent`, it
    notices and exits at once."""
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class TimeLimit(Exception):
    """A job ran over its time limit (see within)."""


def within(seconds: float, job: Callable[..., T], *args: Any) -> T:
    """`job(*args)`, interrupted with TimeLimit after `seconds` (0: no limit). A worker runs one
    job at a time in its main thread, so a timer signal can stop the job and leave the worker
    ready for the next; elsewhere (in a thread) the job runs unbounded."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        return job(*args)

    def expire(signum: int, frame: object) -> None:
        raise TimeLimit(f"over {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return job(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
