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


WRAPPED = """
import os, signal
from sqlalchemy import String, TypeDecorator, create_engine, literal, select
from crawler.interrupt import Interrupted, on_signals

class SignalWhileBinding(TypeDecorator):
    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs inside SQLAlchemy's own code
        return value

engine = create_engine("sqlite://")
try:
    with on_signals():
        with engine.connect() as conn:
            conn.execute(select(literal("x", SignalWhileBinding())))
        print("not stopped")
except Interrupted as exc:
    print("stopped:", exc.exit_code, type(exc.__cause__).__name__)
"""


def test_a_signal_that_a_library_wraps_in_its_own_error_still_stops_the_job() -> None:
    # SQLAlchemy turns an exception raised while it builds a statement into a StatementError;
    # a signal landing there must still end the job as interrupted (130), not as a crash (1).
    result = subprocess.run(
        [sys.executable, "-c", WRAPPED], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split("\n")[0] == "stopped: 130 StatementError", result
    assert "Traceback" not in result.stderr, result.stderr
