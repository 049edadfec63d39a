"""Run the Alembic migrations bundled in db/migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x5D7EC7  # an arbitrary, fixed advisory-lock key for migrations
# The newest revision in db/migrations/versions (a test checks it is Alembic's head). Every
# command opens the database; one already there skips Alembic, whose import and script scan
# were a third of a second per command.
HEAD = "0005"


def _script_location() -> str:
    """The migrations directory. Installed from a zipped egg (Scrapyd deploys those) it is not
    on disk, and Alembic needs a real directory: copy it out once per process."""
    if MIGRATIONS.is_dir():
        return str(MIGRATIONS)
    global _extracted
    if _extracted is None:
        _extracted = Path(tempfile.mkdtemp(prefix="syndetect-migrations-"))
        _copy_tree(resources.files("db") / "migrations", _extracted)
    return str(_extracted)


_extracted: Path | None = None


def _copy_tree(source: Traversable, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _script_location())
    # ConfigParser interpolates '%': a URL-encoded password (p%40ss) or a file named 100%.db
    # would fail, printing the URL. Escaped, the option reads back as the URL itself.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, then prove the database takes writes: a read-only file
    must fail here, with one clear line, not halfway through a crawl."""
    if revision == "head":
        with engine.begin() as connection:
            if _at_head(connection):
                _prove_writable(connection)
                return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes (crawlers sharing a frontier) may open a fresh database at once:
            # one migrates, the others wait for it and then find the schema up to date.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif connection.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside any transaction unless one is open: a command
            # stopped half-way (a signal) left tables without their revision, and the next one
            # failed on "table sites already exists". One transaction, taken for writing.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        if revision == "head" and _empty(connection):
            _create_at_head(connection)
        else:
            from alembic import command

            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        _prove_writable(connection)


def _empty(connection: Connection) -> bool:
    tables = inspect(connection)
    return not tables.has_table("alembic_version") and not tables.has_table("sites")


def _create_at_head(connection: Connection) -> None:
    """A new database: the tables and views of the models, stamped at HEAD as Alembic stamps.
    Running every migration from 0001 gives the same schema (tests/test_migrations.py checks
    it) for a fifth of a second more per new database, most of it importing Alembic."""
    from db import views
    from db.models import Base

    Base.metadata.create_all(connection)
    for statement in views.create_statements(connection.dialect.name):
        connection.execute(text(statement))
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(connection)
    connection.execute(version.insert().values(version_num=HEAD))


def _at_head(connection: Connection) -> bool:
    if not inspect(connection).has_table("alembic_version"):
        return False
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return list(versions) == [HEAD]


def _prove_writable(connection: Connection) -> None:
    connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
