"""Evidence a rights team can act on: one self-contained HTML page per match (readable offline,
every page-derived string escaped), rendered from the stored match, its evidence and both
articles. A sibling's page names the original both copies republish."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session

from crawler.report.pages import environment
from db.evidence import evidence_of
from db.models import Article, Match
from db.report_queries import MatchRow, archive_of, common_originals, matches_by_id

# Matches rendered per round of queries: enough to amortize them, few enough to hold in memory.
BATCH = 1000


def _contexts(
    session: Session, rows: Iterable[MatchRow], back: str | None, known: dict | None = None
) -> Iterator[tuple[int, dict]]:
    """(match id, what its page shows), loading evidence and archive details in batches;
    `known` holds siblings' common originals already found, the others are queried."""
    for batch in _chunks(rows, BATCH):
        evidence = evidence_of(session, [r.id for r in batch])
        info = archive_of(session, [a for r in batch for a in (r.copy.id, r.original.id)])
        originals = dict(known or {})
        siblings = [(r.copy.id, r.original.id) for r in batch if r.relation == "sibling"]
        if missing := [pair for pair in siblings if pair not in originals]:
            originals.update(common_originals(session, missing))
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


def _chunks(rows: Iterable[MatchRow], size: int) -> Iterator[list[MatchRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class EvidenceWritten:
    written: int  # pages new or changed since the last report into the directory
    kept: int  # pages already there and up to date
    removed: int  # pages of matches no longer in the database


MANIFEST = "manifest.json"
PAGE = ("evidence.html", "base.html")


def write_evidence(
    session: Session,
    rows: Iterable[MatchRow],
    directory: Path,
    back: str | None = None,
    prune: bool = False,
    originals: dict | None = None,
) -> EvidenceWritten:
    """Write evidence/match-N.html for each row, lazily: a page whose content would not change
    since the last report into `directory` (a digest of what it shows, in manifest.json) is
    not rendered again, so a nightly report over 100,000 matches rewrites only the new ones.
    `prune` removes the pages of matches not among `rows` (a full report); `originals` are the
    siblings' common originals the caller already knows."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST
    try:
        previous = {int(k): v for k, v in json.loads(manifest_path.read_text("utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        previous = {}  # none yet, or damaged: write every page
    present = {p.name for p in os.scandir(directory)}
    template = environment().get_template("evidence.html")
    # The templates are part of what a page shows: a new version of them rewrites every page.
    salt = repr([Path(t.filename).read_bytes() for t in map(environment().get_template, PAGE)])
    digests: dict[int, str] = {}
    written = kept = 0
    for match_id, context in _contexts(session, rows, back, originals):
        shown = salt + repr(sorted(context.items()))
        digest = hashlib.sha256(shown.encode()).hexdigest()[:32]
        digests[match_id] = digest
        name = f"match-{match_id}.html"
        if previous.get(match_id) == digest and name in present:
            kept += 1
            continue
        (directory / name).write_text(template.render(context), encoding="utf-8")
        written += 1
    removed = 0
    if prune:
        for match_id in previous.keys() - digests.keys():
            (directory / f"match-{match_id}.html").unlink(missing_ok=True)
            removed += 1
    else:
        digests = {**previous, **digests}
    temporary = manifest_path.with_suffix(".tmp")
    temporary.write_text(json.dumps(digests), encoding="utf-8")
    temporary.replace(manifest_path)
    return EvidenceWritten(written, kept, removed)


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
