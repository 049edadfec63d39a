"""One writer at a time for jobs that must not interleave with `match` on one database.

SQLite: an exclusive lock on a file beside the database (one writer per file, whatever the job).
PostgreSQL: a session advisory lock, exclusive for `run` and `match`, shared for `crawl` and
`ingest` (crawlers sharing a frontier write side by side, but never while `match` reads what
they change). Both vanish with the process, so a killed run never leaves a stale lock behind,
and a job holding the exclusive lock knows every crawl still marked running is dead.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from db.session import DatabaseError


class DatabaseBusy(DatabaseError):
    """Another syndetect job holds the lock."""


@contextmanager
def exclusive(engine: Engine, job: str = "syndetect", shared: bool = False) -> Iterator[None]:
    """Hold the database's job lock; `shared` lets other shared holders in (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        with _file_lock(engine, job):
            yield
    elif engine.dialect.name == "postgresql":
        with _advisory_lock(engine, job, shared):
            yield
    else:
        yield


@contextmanager
def _file_lock(engine: Engine, job: str) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    resolved = Path(database).expanduser().resolve()
    path = resolved.with_name(resolved.name + ".lock")
    handle = open(path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DatabaseBusy(
                f"{database} is in use by {holder}; wait for it to finish and run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"syndetect {job} (pid {os.getpid()})")
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def _advisory_lock(engine: Engine, job: str, shared: bool) -> Iterator[None]:
    key = zlib.crc32(b"syndetect")
    kind = "_shared" if shared else ""
    with engine.connect() as conn:
        if not conn.execute(text(f"SELECT pg_try_advisory_lock{kind}(:k)"), {"k": key}).scalar():
            raise DatabaseBusy(
                f"database {engine.url.database} is in use by another syndetect job; "
                "wait for it to finish and run again"
            )
        try:
            yield
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock{kind}(:k)"), {"k": key})
            conn.commit()
