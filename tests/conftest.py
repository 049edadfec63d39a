"""Shared fixtures: databases (SQLite always; PostgreSQL and Redis when running, and always
under CI=true, where a missing service fails instead of skipping)."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from crawler.demo.runner import FAST_CRAWL
from crawler.word_lists import keep_word_lists

REPO = Path(__file__).resolve().parent.parent
# Word lists as `match` reads them (memory-mapped from the user's cache), in the tests'
# processes too: each would otherwise build wordfreq's dicts (0.1-0.4 s a language).
keep_word_lists()
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"
# The ferry story of tests/fixtures/dedup, written for the project in English and translated
# into 32 languages of fourteen scripts: the languages of dedup/languages.py and 21 more
# (tests/test_dedup_languages.py requires one for every entry of the table).
FERRY_TRANSLATIONS = tuple(
    f"ferry_{lang}"
    for lang in (
        "de ru ja hi ar he fa ko zh es pl cs hu fi tr el vi id bn ta th "
        "hr bs sr no nn tl ms ur hy am my"
    ).split()
)
POSTGRES_URL = os.environ.get(
    "SYNDETECT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# The [crawl] settings of the tests' sites files: no politeness delay on loopback, and one
# extraction worker. The pool still runs (tests/test_hostile_web2.py kills its worker); a second
# one would add a second of CPU to every crawl of sites a few dozen pages big.
TEST_CRAWL = {**FAST_CRAWL, "SYNDETECT_EXTRACT_WORKERS": 1}
CRAWL_TABLE = "[crawl]\n" + "".join(f"{key} = {json.dumps(v)}\n" for key, v in TEST_CRAWL.items())
# Under pytest-xdist each worker ("gw0", "gw1", …) gets a database of its own, named after the
# configured one, since postgres_url drops and recreates every table.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


# Module-scoped fixtures that crawl or build a whole world (servers, crawls, matching): every test
# using one is marked slow, so `-m "not slow"` never starts them.
CRAWLED_WORLDS = frozenset(
    "web world crawled traps bodies charsets redirects public_site slow gone robots urls empty "
    "robots_relay sitemaps trap_bypasses retry_after_flood evasions heavy schemes demo_report "
    "demo_once".split()
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the users of a crawled world slow and keep them in one xdist group (one worker
    crawls it, under `--dist loadgroup`); then put slow tests first, so that the workers end
    together instead of waiting on a long test handed out last."""
    for item in items:
        definitions = getattr(item, "_fixtureinfo", None)
        if definitions is None:
            continue
        for name in sorted(CRAWLED_WORLDS.intersection(item.fixturenames)):
            if definitions.name2fixturedefs[name][-1].scope == "module":
                item.add_marker(pytest.mark.slow)
                item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}.{name}"))
                break
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


CLI = [sys.executable, "-m", "crawler"]
# Commands that run in the test's process (see syndetect below): none crawls, serves or waits
# on a schedule, and none reads the environment at import time.
IN_PROCESS = frozenset({"ingest", "match", "report", "export", "networks", "evidence"})


def syndetect(*args: str, cwd: Path | str | None = None, timeout: float = 300):
    """`syndetect ARGS` as a user runs it: exit code, stdout and stderr as a CompletedProcess.
    The commands of IN_PROCESS run `crawler.cli.main` in this process, since an interpreter's
    start-up and imports cost half a second of CPU a call (about a hundred calls in the suite);
    the others (crawls, servers, schedules, signals) run as a real process."""
    command = _command(args)
    if command not in IN_PROCESS:
        return subprocess.run(
            [*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
        )
    from sqlalchemy import Engine, event

    from crawler.cli import main

    out, err = io.StringIO(), io.StringIO()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    engines: set[Engine] = set()

    def opened(connection) -> None:
        engines.add(connection.engine)

    here = os.getcwd()
    event.listen(Engine, "engine_connect", opened)
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse's usage errors
                code = exit.code if isinstance(exit.code, int) else 1
    finally:
        event.remove(Engine, "engine_connect", opened)
        # What a process's exit does: connections closed (SQLite's WAL written back into the
        # database file, which a test may copy), default signal handlers (main leaves SIGINT
        # and SIGTERM ignored, for a process about to exit).
        for engine in engines:
            engine.dispose()
        os.chdir(here)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return subprocess.CompletedProcess(["syndetect", *args], code, out.getvalue(), err.getvalue())


def syndetect_ok(*args: str, code: int = 0, timeout: float = 300) -> subprocess.CompletedProcess:
    """syndetect(*args), which must exit with `code`; its stderr's end says why if not."""
    result = syndetect(*args, timeout=timeout)
    assert result.returncode == code, result.stderr[-3000:]
    return result


def _command(args: tuple[str, ...]) -> str | None:
    """The command word of a syndetect argument list (after --db URL and flags)."""
    rest = iter(args)
    for arg in rest:
        if arg == "--db":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def service_up(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when the service is absent locally; under CI its absence is a failure."""
    if service_up(host, port):
        return
    if IN_CI:
        pytest.fail(f"{name} is not reachable at {host}:{port}, and CI must not skip it")
    pytest.skip(f"{name} not running at {host}:{port}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL database emptied of syndetect's tables, views and migration state."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from sqlalchemy import create_engine, text

    url = _worker_postgres_url()
    engine = create_engine(url)
    with engine.begin() as conn:
        # The whole schema, not a list of tables: a table a later migration adds (or one a
        # branch's tests left behind) must not survive into the next test.
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


_worker_databases: dict[str, str] = {}


def _worker_postgres_url() -> str:
    """The configured database, or under xdist this worker's own, created when missing."""
    if not XDIST_WORKER:
        return POSTGRES_URL
    if XDIST_WORKER not in _worker_databases:
        from sqlalchemy import create_engine, make_url, text

        configured = make_url(POSTGRES_URL)
        name = f"{configured.database}_{XDIST_WORKER}"
        engine = create_engine(configured, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        _worker_databases[XDIST_WORKER] = configured.set(database=name).render_as_string(
            hide_password=False
        )
    return _worker_databases[XDIST_WORKER]


def demo_jsonl(directory: Path, name: str, title=None) -> Path:
    """One demo site's articles as an ingest file (URLs https://<site>.example/<slug>);
    `title(article)` may replace the titles."""
    from crawler.demo.render import load_content

    path = directory / f"{name}.jsonl"
    rows = [
        {
            "url": f"https://{name}.example/{a['slug']}",
            "title": title(a) if title else a["title"],
            "text": "\n\n".join(a["paragraphs"]),
            "published": a["published"],
        }
        for a in load_content()[name]["articles"]
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
