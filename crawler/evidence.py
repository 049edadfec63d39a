"""Evidence a rights team can act on: one self-contained HTML page per match (readable offline,
every page-derived string escaped), rendered from the stored match, its evidence and both
articles. A sibling's page names the original both copies republish.

A report writes one page per match; over 100,000 matches that is the bulk of its work, so the
pages are written in ranges of match ids, each range read, rendered and written by one task: on
worker processes (which open the database themselves) while the report renders its own pages,
or in this process for small reports and in-memory databases.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import TracebackType

from sqlalchemy.orm import Session

from crawler.report.pages import environment
from crawler.worker_process import start_worker
from db.evidence import evidence_of
from db.models import Article, Match
from db.report_queries import (
    MatchRow,
    archive_of,
    common_originals,
    match_ids,
    match_rows,
    matches_by_id,
)
from db.session import connect, session_factory

# Matches rendered per round of queries: enough to amortize them, few enough to hold in memory.
BATCH = 1000


def _contexts(
    session: Session, rows: Iterable[MatchRow], back: str | None
) -> Iterator[tuple[int, dict]]:
    """(match id, what its page shows), loading evidence, archive details and siblings' common
    originals in batches."""
    for batch in _chunks(rows, BATCH):
        evidence = evidence_of(session, [r.id for r in batch])
        info = archive_of(session, [a for r in batch for a in (r.copy.id, r.original.id)])
        siblings = [(r.copy.id, r.original.id) for r in batch if r.relation == "sibling"]
        originals = common_originals(session, siblings) if siblings else {}
        for row in batch:
            yield (
                row.id,
                {
                    "row": row,
                    "evidence": evidence.get(row.id, {}),
                    "copy_info": info[row.copy.id],
                    "original_info": info[row.original.id],
                    "common": originals.get((row.copy.id, row.original.id)),
                    "back": back,
                },
            )


def evidence_pages(
    session: Session, rows: Iterable[MatchRow], back: str | None = None
) -> Iterator[tuple[int, str]]:
    """(match id, page) for each match row; `back` is the link to the report, if any."""
    template = environment().get_template("evidence.html")
    for match_id, context in _contexts(session, rows, back):
        yield match_id, template.render(context)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class EvidenceParams:
    """How a report's evidence pages are shared out."""

    range_size: int = 2000  # matches per task
    workers: int = len(os.sched_getaffinity(0))  # worker processes; fewer than 2: none
    # Fewer pages than this are written in this process: a worker takes about a second to
    # start (it imports the database layer and the templates), a page about half a millisecond.
    pool_from: int = 5000


@dataclass(frozen=True)
class EvidenceWritten:
    written: int  # pages new or changed since the last report into the directory
    kept: int  # pages already there and up to date
    removed: int  # pages of matches no longer in the database


@dataclass(frozen=True)
class _Range:
    """One task: the pages of the matches with ids first..last (on `site`, if given)."""

    first: int
    last: int
    site: str | None
    directory: str
    back: str | None
    salt: str
    previous: dict[int, str] = field(default_factory=dict)  # digests of the pages present


MANIFEST = "manifest.json"
PAGE = ("evidence.html", "base.html")


def _write_range(session: Session, task: _Range) -> tuple[dict[int, str], int]:
    """Write the range's pages whose digest (of what the page shows) differs from the one in
    the manifest; return every page's digest and how many pages were written."""
    template = environment().get_template("evidence.html")
    directory = Path(task.directory)
    digests: dict[int, str] = {}
    written = 0
    rows = match_rows(session, site=task.site, between=(task.first, task.last))
    for match_id, context in _contexts(session, rows, task.back):
        shown = task.salt + repr(sorted(context.items()))
        digests[match_id] = digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
        if task.previous.get(match_id) != digest:
            (directory / f"match-{match_id}.html").write_text(
                template.render(context), encoding="utf-8"
            )
            written += 1
    return digests, written


_worker_session: Session


def _start_worker(db_url: str, parent: int) -> None:
    global _worker_session
    start_worker(parent)
    _worker_session = session_factory(connect(db_url, migrate=False))()


def _write_range_in_worker(task: _Range) -> tuple[dict[int, str], int]:
    return _write_range(_worker_session, task)


class EvidenceJob:
    """The evidence pages of one report in `directory`, written lazily: a page whose content
    would not change since the last report into the directory (a digest of what it shows, in
    manifest.json) is not rendered again, so a nightly report over 100,000 matches rewrites
    only the new ones. Started before the report renders its own pages, so that the workers
    write evidence meanwhile; `finish` waits for them. `prune` removes the pages of matches
    not in the report (a full report)."""

    def __init__(
        self,
        session: Session,
        directory: Path,
        back: str | None = None,
        site: str | None = None,
        prune: bool = False,
        params: EvidenceParams = EvidenceParams(),
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._session, self._directory, self._prune = session, directory, prune
        self._previous = _manifest(directory)
        present = {entry.name for entry in os.scandir(directory)}
        self._present = {k: v for k, v in self._previous.items() if f"match-{k}.html" in present}
        # The templates are part of what a page shows: a new version of them rewrites every page.
        salt = repr([Path(t.filename).read_bytes() for t in map(environment().get_template, PAGE)])
        self._range = {"site": site, "directory": str(directory), "back": back, "salt": salt}
        ids = match_ids(session, site)
        self._tasks = [self._task(chunk) for chunk in _chunks(ids, params.range_size)]
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future] = []
        bind = session.get_bind()
        in_memory = bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:")
        if params.workers >= 2 and len(ids) >= params.pool_from and not in_memory:
            self._pool = ProcessPoolExecutor(
                min(params.workers, len(self._tasks)),
                # spawn, not fork: the parent holds database connections a forked child must
                # not share.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(bind.url.render_as_string(hide_password=False), os.getpid()),
            )
            self._futures = [self._pool.submit(_write_range_in_worker, t) for t in self._tasks]

    def _task(self, ids: list[int]) -> _Range:
        previous = {i: self._present[i] for i in ids if i in self._present}
        return _Range(ids[0], ids[-1], previous=previous, **self._range)

    def finish(self, shown: Iterable[int] = ()) -> EvidenceWritten:
        """Wait for the pages (this process takes the tasks no worker has begun), then write
        the manifest and prune. `shown`: the matches the report links to; those stored since
        the job began are written here."""
        results = []
        if self._pool is None:
            results = [_write_range(self._session, task) for task in self._tasks]
        else:
            # Cancelled there means not begun: done here, the report's own process helps.
            for task, future in zip(self._tasks, self._futures, strict=True):
                if future.cancel():
                    results.append(_write_range(self._session, task))
            results += [f.result() for f in self._futures if not f.cancelled()]
        digests = {k: v for found, _ in results for k, v in found.items()}
        for match_id in set(shown) - digests.keys():
            found, n = _write_range(self._session, self._task([match_id]))
            digests.update(found)
            results.append((found, n))
        written = sum(n for _, n in results)
        kept = len(digests) - written
        removed = 0
        if self._prune:
            for match_id in self._previous.keys() - digests.keys():
                (self._directory / f"match-{match_id}.html").unlink(missing_ok=True)
                removed += 1
        else:
            digests = {**self._previous, **digests}
        manifest = self._directory / MANIFEST
        temporary = manifest.with_suffix(".tmp")
        temporary.write_text(json.dumps(digests), encoding="utf-8")
        temporary.replace(manifest)
        return EvidenceWritten(written, kept, removed)

    def __enter__(self) -> EvidenceJob:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _manifest(directory: Path) -> dict[int, str]:
    """The digest of each page the last report into `directory` wrote."""
    try:
        return {int(k): v for k, v in json.loads((directory / MANIFEST).read_text("utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}  # none yet, or damaged: write every page


def write_match_files(
    page: str, records: list[tuple[str, int]], archive: Path, out: Path, match_id: int
) -> list[Path]:
    """`syndetect evidence`: match-N.warc.gz (when the articles were crawled), then match-N.html.
    On any failure the files already begun are removed: a half-written WARC passes for evidence.
    """
    from crawler.archive import copy_records

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        if records:
            written.append(out / f"match-{match_id}.warc.gz")
            copy_records(archive, records, written[-1])
        written.append(out / f"match-{match_id}.html")
        written[-1].write_text(page, encoding="utf-8")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written[::-1]  # the page first, as the command always printed it


def match_html(session: Session, match_id: int) -> str | None:
    """The evidence page of one match, or None if there is no such match."""
    row = matches_by_id(session, [match_id]).get(match_id)
    if row is None:
        return None
    return next(evidence_pages(session, [row]))[1]


def warc_records(session: Session, match_id: int) -> list[tuple[str, int]]:
    """(WARC file, offset) of the original's and the copy's archived responses, where crawled."""
    match = session.get(Match, match_id)
    if match is None:
        return []
    articles = (session.get(Article, match.original_id), session.get(Article, match.copy_id))
    return [(a.warc_file, a.warc_offset) for a in articles if a.warc_file is not None]
