"""What every worker process of syndetect does first (extraction during a crawl, fingerprinting
and verification during `match`)."""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time

PARENT_CHECK_SECONDS = 1.0


def start_worker() -> None:
    """The initializer of every worker pool."""
    exit_with_parent()
    skip_teardown()
    # A terminal's Ctrl-C reaches the whole process group; the parent decides how to stop (a
    # clean shutdown that still needs its workers), so a worker must not die of it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def skip_teardown() -> None:
    """Once the worker's loop has ended, leave without tearing the interpreter down: its results
    are sent by then, and freeing the word lists' millions of objects one by one kept `match`
    waiting about 2 s for its workers to exit."""
    atexit.register(os._exit, 0)


def exit_with_parent() -> None:
    """Exit when the process that started this worker is gone. A parent killed with SIGKILL
    (an operator, the OOM killer, a scheduler's timeout) cannot shut its pool down, and its
    workers would otherwise wait forever, holding memory and the database's files."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
