"""Compiled loops: the verifier's dynamic programmes and the prefilter's pass over the
candidates, compiled to machine code by numba once a process has enough of them to run.

They walk tables cell by cell and arrays item by item, which costs CPython about 50 ns a step
where compiled code takes one or two. But numba costs a process about 0.6 s to start (its
import and its compiler's set-up, even with the machine code cached beside the module by
cache=True), more than a small `match` run spends in these functions at all. So a process runs
them interpreted until that time has gone into them, then compiles (as a renter buys once the
rent paid equals the price: never more than twice the better choice). Compiled code does plain
float arithmetic in the order the Python code writes it (no fast-math), so both give the same
results bit for bit (tests/test_dedup_compiled.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

# numba's start-up in a process, measured on a two-core server: import 0.2 s, the first call of
# a cached function 0.35 s.
START_UP_SECONDS = 0.6
_interpreted_seconds = 0.0  # CPU time in this process, all of them together


def compiled(
    interpreted: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator: func runs compiled in nopython mode once this process has spent
    START_UP_SECONDS in the interpreted versions of all such functions, and as `interpreted`
    (a faster version for CPython, e.g. with numpy, of the same arithmetic) or as itself until
    then. The decorated function's `machine_code()` compiles it now (tests, benchmarks)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        slow = interpreted or func
        machine: list[Callable[..., Any]] = []

        def machine_code() -> Callable[..., Any]:
            if not machine:
                import numba

                machine.append(numba.njit(cache=True)(func))
            return machine[0]

        @wraps(func)
        def call(*args: Any) -> Any:
            global _interpreted_seconds
            if machine:
                return machine[0](*args)
            if _interpreted_seconds >= START_UP_SECONDS:
                return machine_code()(*args)
            started = time.process_time()
            result = slow(*args)
            _interpreted_seconds += time.process_time() - started
            return result

        call.machine_code = machine_code  # type: ignore[attr-defined]
        call.interpreted = slow  # type: ignore[attr-defined]
        return call

    return decorate
