"""Engines and sessions: any SQLAlchemy URL, SQLite (WAL) by default, schema migrated on open."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///syndetect.db"
ENV_VAR = "SYNDETECT_DB"


class DatabaseError(Exception):
    """A database URL or connection problem, worded for the user in one line."""


def resolve_url(url: str | None) -> str:
    """The URL to use: the explicit one, else $SYNDETECT_DB, else ./syndetect.db."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets reports read while a crawl writes; busy_timeout makes writers wait instead of fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def connect(url: str | None = None, migrate: bool = True) -> Engine:
    """Open (and by default migrate to the latest schema) the database at `url`."""
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"database URL {url!r} is not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise DatabaseError(f"database URL {url!r}: directory {parent} does not exist")
    try:
        engine = create_engine(parsed, future=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"database URL {url!r}: driver not available ({exc})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot open database {parsed!r}: {describe(exc)}{_sqlite_hint(parsed)}"
        ) from None
    if migrate:
        from db.migrate import upgrade

        try:
            upgrade(engine)
        except DBAPIError as exc:
            raise DatabaseError(f"database {parsed!r}: {describe(exc)}") from None
    return engine


def _sqlite_hint(url) -> str:
    """SQLite says 'unable to open database file' for several causes; name the common one."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return ""
    directory = Path(url.database).expanduser().resolve().parent
    if not os.access(directory, os.W_OK):
        return f" (the directory {directory} is read-only: WAL mode needs to write beside it)"
    return ""


def describe(exc: DBAPIError) -> str:
    """The driver's own first line: 'attempt to write a readonly database', 'disk is full'…"""
    return (str(exc.orig) if exc.orig is not None else str(exc)).strip().splitlines()[0]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
