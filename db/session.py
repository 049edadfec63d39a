"""Engines and sessions: any SQLAlchemy URL, SQLite (WAL) by default, schema migrated on open."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
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


def _masked(url: str) -> str:
    """`url` with any password replaced by ***, for messages."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)


def connect(url: str | None = None, migrate: bool = True, create: bool = True) -> Engine:
    """Open (and by default migrate to the latest schema) the database at `url`. With
    `create=False` (read commands), a database that does not exist yet is an error, not an
    empty new file."""
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"database URL {_masked(url)!r} is not a valid SQLAlchemy URL{_scheme_hint(url)}"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _check_sqlite_file(parsed.database, shown, create)
    try:
        engine = create_engine(parsed, future=True)
    except (NoSuchModuleError, ImportError) as exc:
        reason = str(exc).replace(url, shown)
        raise DatabaseError(
            f"database URL {shown!r}: driver not available ({reason}){_scheme_hint(url)}"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as connection:
            if not create and not inspect(connection).has_table("sites"):
                raise DatabaseError(f"database {shown!r} holds no syndetect data yet")
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot open database {shown!r}: {describe(exc)}{_sqlite_hint(parsed)}"
        ) from None
    if migrate:
        from db.migrate import upgrade

        try:
            upgrade(engine)
        except DBAPIError as exc:
            raise DatabaseError(f"database {shown!r}: {describe(exc)}") from None
    return engine


def reject_in_memory(url: str | None) -> None:
    """For URLs from the user: sqlite:// and sqlite:/// are an in-memory database, everything
    gone when the command exits. (Code and tests may still open one with connect().)"""
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        return  # connect() words this one
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise DatabaseError(
            f"database URL {resolved!r} names no file (an in-memory database would keep "
            "nothing); use sqlite:///path/to/file.db"
        )


def _check_sqlite_file(database: str, shown: str, create: bool) -> None:
    path = Path(database).expanduser().resolve()
    if not path.parent.is_dir():
        raise DatabaseError(f"database URL {shown!r}: directory {path.parent} does not exist")
    if not create and not path.exists():
        raise DatabaseError(
            f"no database at {path} (nothing crawled or ingested there yet; check --db or "
            "$SYNDETECT_DB)"
        )


def _scheme_hint(url: str) -> str:
    """The fix for the two common slips: a bare file name, and Heroku-style postgres://."""
    if "://" not in url:
        return f"; for a SQLite file write sqlite:///{url}"
    scheme = url.split("://", 1)[0]
    if scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
        return "; write postgresql+psycopg://user@host/db (pip install 'syndetect[postgres]')"
    return ""


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
