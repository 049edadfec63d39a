"""SIGINT and SIGTERM: the first stops the job cleanly, the second exits at once.

Every job commits as it goes, so stopping between two commits loses nothing stored; the first
signal lets the job reach such a point and record the interruption, the second does not wait
(the databases' own transactions keep what is stored whole).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The job was stopped by a signal; the process exits with 128 + signum (130, 143)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# The signal _raise raised, until the process ends: see raise_if_interrupted.
_raised: list[int] = []


def _raise(signum: int) -> None:
    _raised.append(signum)
    raise Interrupted(signum)


def raise_if_interrupted() -> None:
    """Raise Interrupted again if a signal was raised and swallowed: a signal that lands while
    Python runs a weakref callback or a destructor raises there, where the exception is only
    printed and the job would go on. Long jobs call this between their commits."""
    if _raised:
        raise Interrupted(_raised[0])


def _unraisable(hook: Callable[[object], None]) -> Callable[[object], None]:
    """sys.unraisablehook that keeps an Interrupted swallowed as above off the terminal (the
    job stops at its next raise_if_interrupted) and passes on everything else."""

    def quiet(unraisable: object) -> None:
        if not isinstance(getattr(unraisable, "exc_value", None), Interrupted):
            hook(unraisable)

    return quiet


def _interruption(exc: BaseException) -> Interrupted | None:
    """The Interrupted that `exc` wraps, if any: a library that turns exceptions raised in its
    own code into its own error (SQLAlchemy's StatementError while it builds a statement) would
    otherwise report a signal as a failure, with a traceback and exit code 1."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, Interrupted):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _exit_now(signum: int, _frame: object = None) -> None:
    os.write(2, b"syndetect: interrupted again, exiting now\n")
    os._exit(128 + signum)


def ignore_signals() -> None:
    """For a process about to exit after a signal: Python's finalisation puts handlers set from
    Python back to the default action, so a second signal there would kill the process with
    its exit code lost; an ignored signal stays ignored."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


@contextmanager
def on_signals(
    first: Callable[[int], None] = _raise, again: Callable[[int], None] | None = None
) -> Iterator[list[int]]:
    """Within the block, the first SIGINT/SIGTERM calls `first(signum)` (default: raise
    Interrupted where the main thread is); a second one calls `again(signum)` if given (to pass
    it on to children), then exits the process at once. Yields the signals received."""
    received: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        if received:
            if again is not None:
                again(signum)
            _exit_now(signum)
        received.append(signum)
        first(signum)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    hook, sys.unraisablehook = sys.unraisablehook, _unraisable(sys.unraisablehook)
    try:
        yield received
    except Exception as exc:
        cause = _interruption(exc)
        if cause is None or cause is exc:
            raise
        raise cause from exc
    finally:
        sys.unraisablehook = hook
        # After a first signal, the process is on its way out: a second one, even during the
        # outer blocks' clean-up, must exit at once, not reach Python's default handlers.
        for sig, old in previous.items():
            signal.signal(sig, _exit_now if received or signal.getsignal(sig) is _exit_now else old)
