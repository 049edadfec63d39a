"""Migrations carry their own SQL: a database upgraded one revision at a time must equal a
fresh one built from the live definitions (db/models.py, db/views.py), on SQLite and PostgreSQL.
An edit of a view or a model without a migration fails here."""

from __future__ import annotations

import re

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text

from db import views
from db.migrate import HEAD, alembic_config, upgrade
from db.models import Base
from db.session import connect


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def _revisions(engine: Engine) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _upgrade_step_by_step(engine: Engine) -> None:
    config = alembic_config(engine)
    for revision in _revisions(engine):
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)


def _build_fresh(engine: Engine) -> None:
    """What a new database gets (db.migrate: the models' tables and views, stamped at head),
    checked to be what Alembic reads as its head."""
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == HEAD == _revisions(engine)[-1]


def _view_sql(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = :n"), {"n": name}
            ).scalar_one()
        else:
            viewdef = text("SELECT pg_get_viewdef(CAST(:n AS regclass))")
            sql = connection.execute(viewdef, {"n": name}).scalar_one()
    return re.sub(r"\s+", " ", sql).strip()


def _schema(engine: Engine) -> dict:
    inspector = inspect(engine)
    tables = {
        table: sorted(
            (c["name"], str(c["type"]), bool(c["nullable"]), str(c.get("default")))
            for c in inspector.get_columns(table)
        )
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }
    indexes = {
        table: sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table))
        for table in tables
    }
    view_sql = {name: _view_sql(engine, name) for name in inspector.get_view_names()}
    return {"tables": tables, "indexes": indexes, "views": view_sql}


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as connection:
        for statement in views.drop_statements():
            connection.execute(text(statement))
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgraded_step_by_step_equals_fresh(url):
    engine = create_engine(url)
    try:
        _upgrade_step_by_step(engine)
        upgraded = _schema(engine)
        _drop_everything(engine)
        _build_fresh(engine)
        fresh = _schema(engine)
    finally:
        _drop_everything(engine)
        engine.dispose()
    assert set(upgraded["views"]) == set(views.VIEW_NAMES)
    assert upgraded == fresh


def test_no_migration_imports_the_live_views():
    # The recipe's point: a migration that reads db/views.py changes meaning when views.py does.
    from db.migrate import MIGRATIONS

    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "db.views" not in source and "from db import views" not in source, path.name


class _Stopped(Exception):
    """What a signal raises in the middle of a migration (crawler.interrupt.Interrupted)."""


@pytest.mark.parametrize("statements", [1, 5, 20])
def test_a_migration_stopped_half_way_leaves_nothing_and_runs_again(url, statements):
    """A first command stopped while it creates the schema (a signal, a crash) must leave the
    database as it found it: no tables without the revision that says they are there, which
    the next command would try to create again ("table sites already exists")."""
    engine = connect(url, migrate=False)
    seen = []

    def stop_after(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("CREATE"):
            seen.append(statement)
            if len(seen) == statements:
                raise _Stopped(statement)

    event.listen(engine, "before_cursor_execute", stop_after)
    with pytest.raises(_Stopped):
        upgrade(engine)
    event.remove(engine, "before_cursor_execute", stop_after)
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    assert "sites" in inspect(engine).get_table_names()
    engine.dispose()
