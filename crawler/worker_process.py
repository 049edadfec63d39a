"""What every worker process of syndetect does first (extraction during a crawl, fingerprinting
and verification during `match`)."""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 1.0


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
