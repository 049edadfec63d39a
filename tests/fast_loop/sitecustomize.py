"""Loaded at start-up by every Python process of a `tests/fast_loop/check.py` run (pytest, its
workers and the CLI subprocesses the tests start): records which project modules had one of
their functions called, into one file per process."""

import atexit
import os
import sys
import threading

_OUT = os.environ.get("FAST_LOOP_TRACE_DIR")
_ROOT = os.environ.get("FAST_LOOP_ROOT", "")
if _OUT and _ROOT:
    _seen: set[str] = set()
    _prefixes = tuple(os.path.join(_ROOT, p) + os.sep for p in ("crawler", "dedup", "db"))

    def _profile(frame, event, arg):  # noqa: ARG001 - the signature sys.setprofile calls
        if event == "call":
            code = frame.f_code
            name = code.co_filename
            if name not in _seen and code.co_name != "<module>" and name.startswith(_prefixes):
                _seen.add(name)

    def _write() -> None:
        path = os.path.join(_OUT, f"{os.getpid()}.txt")
        with open(path, "a", encoding="utf-8") as out:
            out.write("".join(f"{name}\n" for name in sorted(_seen)))

    sys.setprofile(_profile)
    threading.setprofile(_profile)
    atexit.register(_write)
