"""A signal raised where Python swallows exceptions (a destructor, a weakref callback) still
stops the job at its next check, without a traceback on the terminal. Run in a child process:
the handlers it installs must not stay in the test runner."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, signal
from crawler.interrupt import Interrupted, on_signals, raise_if_interrupted

class Victim:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        total = 0
        for n in range(100_000):  # the handler runs here, inside the destructor
            total += n

try:
    with on_signals():
        try:
            Victim()
        except Interrupted:
            print("raised through the destructor")
        print("job went on")
        raise_if_interrupted()
        print("not stopped")
except Interrupted as exc:
    print("stopped:", exc.exit_code)
"""


def test_a_signal_swallowed_by_a_destructor_stops_the_job_at_the_next_check() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split("\n")[:2] == ["job went on", "stopped: 143"], result
    assert "Traceback" not in result.stderr, result.stderr
