"""Compiled loops: the verifier's dynamic programmes, compiled to machine code by numba.

Their tables are walked cell by cell, which costs CPython about 50 ns a cell where compiled code
takes one or two; numpy helps only along one axis at a time. Compilation waits for the first
call, so a process that never verifies a pair (a crawl, a report) never imports numba (0.3 s),
and the machine code is cached beside the module (numba's cache=True): a process loads it in
milliseconds instead of compiling it again. Plain float arithmetic in the order the Python
version wrote it (no fast-math), so the results are the same bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def compiled(func: F) -> F:
    """func, compiled in nopython mode on its first call."""
    machine_code: list[Callable[..., Any]] = []

    @wraps(func)
    def call(*args: Any) -> Any:
        if not machine_code:
            import numba

            machine_code.append(numba.njit(cache=True)(func))
        return machine_code[0](*args)

    return call  # type: ignore[return-value]
