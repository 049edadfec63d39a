"""Arrays syndetect can rebuild from installed packages at any time (py3langid's unpacked model,
wordfreq's word lists as hash tables), built once into the user's cache and memory-mapped from
there: a process opens them in milliseconds, and processes share their pages."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

Arrays = dict[str, np.ndarray]


def cache_root() -> Path:
    """Where syndetect keeps files it can rebuild from installed packages at any time."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "syndetect"


def stamp(source: Path) -> str:
    """A name part that changes when an installed file does (an upgrade): its size and time."""
    stat = source.stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def cached_arrays(name: str, build: Callable[[], Arrays], root: Path | None = None) -> Arrays:
    """The arrays `build()` returns, memory-mapped from `root/name/` (cache_root() by default),
    built there on first use. OSError when the cache cannot be written."""
    directory = (root or cache_root()) / name
    if not directory.is_dir():
        directory.parent.mkdir(parents=True, exist_ok=True)
        # One process builds, the others wait for it: a test suite's or a pool's processes all
        # ask for the same word lists at once.
        with open(directory.parent / f".{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not directory.is_dir():
                _write(build(), directory)
    return {path.stem: np.load(path, mmap_mode="r") for path in sorted(directory.glob("*.npy"))}


def _write(arrays: Arrays, directory: Path) -> None:
    # Written aside and renamed into place: a process that reads the directory finds it whole.
    partial = Path(tempfile.mkdtemp(prefix=".building-", dir=directory.parent))
    try:
        for key, values in arrays.items():
            np.save(partial / f"{key}.npy", values, allow_pickle=False)
        partial.rename(directory)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
