"""The `syndetect` command line. Commands, options and export fields are a stable interface:
external scripts call them, so extend, never rename."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from crawler import config as config_module
from crawler import discover as discover_commands
from crawler import networks as network_commands
from crawler.alerts import AlertConfig, notify
from crawler.errors import UserError
from crawler.interrupt import Interrupted, ignore_signals, on_signals, raise_if_interrupted
from crawler.output import (
    verdict,
    write_csv,
    write_html,
    write_json,
    write_jsonl,
    write_table,
)
from crawler.worker_process import collect_rarely
from db.lock import exclusive
from db.queries import EXPORTS, export, export_columns, site_report
from db.session import (
    DatabaseError,
    connect,
    describe,
    reject_in_memory,
    resolve_url,
    session_factory,
)
from db.store import interrupt_stale_runs

if TYPE_CHECKING:
    from crawler.crawl import CrawlResult  # Scrapy: imported only by the commands that crawl

REPORT_COLUMNS = (
    "site",
    "role",
    "crawl",
    "articles",
    "copies",
    "copy_share",
    "original_sites",
    "languages",
    "syndicator",
)
# Exit codes (README, "Exit codes").
EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_NOT_ALL_SEEN = 3  # also: the database or a worker failed mid-job


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # Accepted before or after the command; SUPPRESS keeps a later position from resetting it.
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLAlchemy database URL")
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="syndetect",
        description="Find sites that republish translated or verbatim copies of articles.",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="database URL (default: $SYNDETECT_DB or sqlite:///syndetect.db)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.add_argument("--version", action="version", version=f"syndetect {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = _command(commands, "run", parents=[common], help="crawl all sites, match, report")
    run.add_argument("config", help="sites file (TOML)")

    crawl = _command(commands, "crawl", parents=[common], help="crawl sites into the database")
    crawl.add_argument("config", help="sites file (TOML)")
    crawl.add_argument("--site", help="crawl only the site with this name")

    match = _command(
        commands, "match", parents=[common], help="match new articles against all stored"
    )
    match.add_argument("--config", help="sites file whose [index] table says where the index is")

    ingest = _command(commands, "ingest", parents=[common], help="import articles from JSONL")
    ingest.add_argument("file", help="JSONL: url, title, text, optional lang, published")
    ingest.add_argument("--site", required=True, help="site name (created if new)")
    ingest.add_argument("--role", required=True, choices=("source", "suspect"))
    ingest.add_argument(
        "--set-role", action="store_true", help="change an existing site's role to --role"
    )
    ingest.add_argument(
        "--move", action="store_true", help="move URLs stored under another site to this one"
    )

    report = _command(commands, "report", parents=[common], help="per-site verdicts")
    report.add_argument("--format", choices=("table", "json", "csv", "html"), default="table")
    report.add_argument(
        "--out",
        help="write to this file instead of standard output (html: a .html file, or a "
        "directory for index.html, per-site pages and evidence/)",
    )
    report.add_argument("--site", help="report only this site (html: its copies and siblings)")

    evidence = _command(
        commands,
        "evidence",
        parents=[common],
        help="write a match's evidence as a self-contained page",
    )
    evidence.add_argument("match_id", type=int, metavar="MATCH_ID")
    evidence.add_argument("--out", default="evidence", help="directory (default: ./evidence)")
    evidence.add_argument(
        "--archive", help="WARC directory of the crawls (default: beside the database)"
    )

    exp = _command(commands, "export", parents=[common], help="export matches, articles, sites")
    exp.add_argument("what", choices=EXPORTS)
    exp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    exp.add_argument("--out", help="write to this file instead of standard output")

    schedule = _command(
        commands,
        "schedule",
        parents=[common],
        help="crawl each site on its own interval, unattended",
    )
    schedule.add_argument("config", help="sites file (TOML)")
    schedule.add_argument(
        "--once", action="store_true", help="crawl the sites that are due, match, and exit"
    )

    browse = _command(
        commands, "browse", parents=[common], help="open the database in Datasette (optional extra)"
    )
    browse.add_argument("--port", type=int, default=8001)

    discover_commands.register(commands, common)
    network_commands.register(commands, common)

    demo = _command(commands, "demo", parents=[common], help="crawl the bundled demo web")
    demo.add_argument(
        "--serve", action="store_true", help="keep serving the demo sites after the report"
    )
    return parser


def _command(commands, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand whose `syndetect NAME --help` opens with the same line as the list."""
    return commands.add_parser(name, description=kwargs.get("help"), **kwargs)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("syndetect")
    except PackageNotFoundError:
        return "(not installed)"


def _progress(args: argparse.Namespace):
    if args.quiet:
        return None
    return lambda message: print(message, file=sys.stderr)


def cmd_crawl(args: argparse.Namespace) -> int:
    args.loaded = config_module.load(args.config)  # a bad config creates no database
    engine = connect(args.db)  # fail on a bad database before any page is fetched
    # One writer per SQLite file; on PostgreSQL several crawlers may share the database, but
    # never with a `match` running (its lock is exclusive).
    with exclusive(engine, "crawl", shared=True):
        return _report_not_seen(_crawl(engine, args))


def _crawl(engine: Engine, args: argparse.Namespace) -> CrawlResult:
    """Crawl with the database lock held by the caller."""
    from crawler.crawl import crawl

    config = discover_commands.with_added_sites(args.loaded, engine)
    if engine.dialect.name == "sqlite" or args.command == "run":
        # The caller's lock is exclusive here: a run still marked running was killed.
        with session_factory(engine)() as session:
            interrupt_stale_runs(session)
            session.commit()
    return crawl(config, resolve_url(args.db), site=getattr(args, "site", None), quiet=args.quiet)


def _report_not_seen(result: CrawlResult) -> int:
    """One line per site nothing was fetched from (even with --quiet: it is an error)."""
    for name, reason in sorted(result.not_seen.items()):
        print(f"syndetect: site {name!r} not seen: {reason}", file=sys.stderr)
    return EXIT_NOT_ALL_SEEN if result.not_seen else EXIT_OK


def cmd_match(args: argparse.Namespace) -> int:
    if args.config:
        args.loaded = config_module.load(args.config)  # a bad config creates no database
    engine = connect(args.db)
    with exclusive(engine, "match"):
        _match(engine, args)
    return 0


def _match(engine: Engine, args: argparse.Namespace) -> None:
    from crawler.index_cache import snapshot_path
    from crawler.matching import run_matching

    config = getattr(args, "loaded", None)
    index = config.index if config else config_module.IndexConfig()
    before = _match_counts(engine)
    stats = run_matching(
        engine,
        index.storage_config(),
        prefix=index.prefix,
        progress=_progress(args),
        snapshot=snapshot_path(engine, index.snapshot),
        through_sites=(config.match if config else config_module.MatchConfig()).through_sites,
    )
    # Alerts are the point of an unattended run: logged even with --quiet.
    notify(
        engine,
        config.alerts if config else AlertConfig(),
        log=lambda line: print(line, file=sys.stderr),
    )
    if not args.quiet:
        after = _match_counts(engine)
        copies, siblings = (after[k] - before[k] for k in ("original", "sibling"))
        print(
            f"match: {stats.matched} articles matched, {stats.new_matches} new matches "
            f"({copies} copies of an original, {siblings} siblings: two copies of one original) "
            + (
                f"and {stats.withdrawn} withdrawn (a text changed and the pair no longer holds) "
                if stats.withdrawn
                else ""
            )
            + f"in {stats.seconds:.1f}s",
            file=sys.stderr,
        )


def _match_counts(engine: Engine) -> dict[str, int]:
    from db.report_queries import match_counts

    with session_factory(engine)() as session:
        return match_counts(session)


def cmd_run(args: argparse.Namespace) -> int:
    args.loaded = config_module.load(args.config)  # a bad config creates no database
    engine = connect(args.db)
    with exclusive(engine, "run"):
        result = _crawl(engine, args)
        _match(engine, args)
    cmd_report(args)
    return _report_not_seen(result)


def cmd_ingest(args: argparse.Namespace) -> int:
    from crawler.ingest import check_readable, check_role, ingest

    check_readable(Path(args.file))  # before any database, site or lock is created
    engine = connect(args.db)
    # Never beside a `match`: it would mark matched a text ingest had just replaced.
    with exclusive(engine, "ingest", shared=True):
        check_role(engine, args.site, args.role, args.set_role)
        result = ingest(
            engine,
            args.file,
            args.site,
            args.role,
            report_bad=lambda line: print(f"syndetect: bad line: {line}", file=sys.stderr),
            move=args.move,
        )
    if not args.quiet:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) or "nothing"
        print(f"ingest: {counts}; {len(result.bad_lines)} bad lines", file=sys.stderr)
    return 1 if result.bad_lines and not result.outcomes else 0


def cmd_report(args: argparse.Namespace) -> int:
    engine = connect(args.db, create=False)
    site = getattr(args, "site", None)
    if getattr(args, "format", "table") == "html":
        with session_factory(engine)() as session:
            written = write_html(session, getattr(args, "out", None), sys.stdout, site=site)
        if written:
            print(written[0])
        return 0
    with session_factory(engine)() as session, _output(getattr(args, "out", None)) as out:
        rows = [r for r in site_report(session) if site is None or r["site"] == site]
        fmt = getattr(args, "format", "table")
        if fmt == "json":
            write_json(rows, out)
        elif fmt == "csv":
            write_csv(rows, out)
        else:
            write_table([_table_row(r) for r in rows], REPORT_COLUMNS, out)
            syndicators = [r["site"] for r in rows if r["syndicator"]]
            found = ", ".join(syndicators) if syndicators else "none found"
            out.write(f"\nSyndicators: {found}\n")
            for row in rows:
                if row["crawl_reason"]:
                    out.write(f"{row['site']}: {row['crawl_status']}: {row['crawl_reason']}\n")
    return 0


def _table_row(row: dict) -> dict:
    """A site not seen shows so, never as "0 copies, no"."""
    shown = dict(row, crawl=row["crawl_status"], syndicator=verdict(row))
    if row["syndicator"] is None:
        shown.update(copies=None, copy_share=None)
    return shown


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """Standard output, or the file `path` (one clear line if it cannot be written)."""
    if not path:
        yield sys.stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from None
    with handle:
        yield handle


def cmd_evidence(args: argparse.Namespace) -> int:
    from crawler.archive import default_directory
    from crawler.evidence import match_html, warc_records, write_match_files

    engine = connect(args.db, create=False)
    with session_factory(engine)() as session:
        page = match_html(session, args.match_id)
        records = warc_records(session, args.match_id)
    if page is None:
        raise UserError(f"no match with id {args.match_id} (see: syndetect export matches)")
    out = Path(args.out)
    archive = Path(args.archive) if args.archive else default_directory(resolve_url(args.db))
    try:
        for path in write_match_files(page, records, archive, out, args.match_id):
            print(path)
    except FileNotFoundError as exc:
        raise UserError(f"WARC archive file missing: {exc.filename} (see --archive)") from None
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror})") from None
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    engine = connect(args.db, create=False)
    with session_factory(engine)() as session, _output(args.out) as out:
        if args.format == "csv":
            # The header even for no rows: scripts read the columns before the rows.
            write_csv(export(session, args.what), out, export_columns(session, args.what))
        else:
            write_jsonl(export(session, args.what), out)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.schedule import run_schedule

    config = config_module.load(args.config)
    engine = connect(args.db)
    command = [sys.executable, "-m", "crawler.cli", "--db", resolve_url(args.db)]
    if args.quiet:
        command.append("--quiet")
    run_schedule(engine, config, command, once=args.once, log=_progress(args) or (lambda m: None))
    return 0


def cmd_browse(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from crawler.browse import browse

    engine = connect(args.db, create=False)
    if engine.dialect.name != "sqlite":
        raise UserError("browse opens SQLite databases; for PostgreSQL use datasette-postgresql")
    return browse(Path(make_url(resolve_url(args.db)).database), port=args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.runner import run_demo

    return run_demo(args, crawl_and_match=cmd_run)


COMMANDS = {
    "run": cmd_run,
    "crawl": cmd_crawl,
    "match": cmd_match,
    "ingest": cmd_ingest,
    "report": cmd_report,
    "export": cmd_export,
    "demo": cmd_demo,
    "schedule": cmd_schedule,
    "evidence": cmd_evidence,
    "browse": cmd_browse,
    "discover": lambda args: discover_commands.command(args, match=_match),
    "networks": network_commands.command,
}


def main(argv: Sequence[str] | None = None) -> int:
    collect_rarely()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)  # bare `syndetect`: the list of commands
        return EXIT_USER_ERROR
    try:
        reject_in_memory(args.db)
        with on_signals():
            code = COMMANDS[args.command](args)
            raise_if_interrupted()  # a signal swallowed on the way says so, not 0
            return code
    except Interrupted as exc:
        print(
            f"syndetect: interrupted ({exc}); what was stored is kept, run the command again "
            "to finish",
            file=sys.stderr,
        )
        ignore_signals()
        return exc.exit_code
    except (UserError, DatabaseError) as exc:
        print(f"syndetect: error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        # The database failed mid-job (disk full, file made read-only, server gone); every
        # job commits as it goes, so what was stored before stays stored.
        print(f"syndetect: error: database: {describe(exc)}", file=sys.stderr)
        return 3
    except BrokenProcessPool:
        # A worker of `match` was killed (the OOM killer, an operator); batches already
        # matched are committed, so running the command again finishes the job.
        print(
            "syndetect: error: a worker process died (killed or out of memory); finished work "
            "is stored, run the command again",
            file=sys.stderr,
        )
        return 3
    except BrokenPipeError:
        return 0
    finally:
        # The job is over, stored or stopped: a signal now must not turn into a traceback or
        # a lost exit code while the interpreter shuts down (it restores default handlers).
        ignore_signals()


if __name__ == "__main__":
    sys.exit(main())
