"""Evidence a rights team can act on: one self-contained HTML page per match (readable offline,
every page-derived string escaped), rendered from the stored match, its evidence and both
articles. A sibling's page names the original both copies republish."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session

from crawler.report.pages import environment
from db.models import Article, Match
from db.report_queries import (
    MatchRow,
    archive_of,
    common_originals,
    evidence_of,
    matches_by_id,
)

# Matches rendered per round of queries: enough to amortize them, few enough to hold in memory.
BATCH = 1000


def evidence_pages(
    session: Session, rows: Iterable[MatchRow], back: str | None = None
) -> Iterator[tuple[int, str]]:
    """(match id, page) for each match row, loading evidence and archive details in batches;
    `back` is the link to the report, if any."""
    template = environment().get_template("evidence.html")
    for batch in _chunks(rows, BATCH):
        evidence = evidence_of(session, [r.id for r in batch])
        info = archive_of(session, [a for r in batch for a in (r.copy.id, r.original.id)])
        siblings = [(r.copy.id, r.original.id) for r in batch if r.relation == "sibling"]
        originals = common_originals(session, siblings) if siblings else {}
        for row in batch:
            yield (
                row.id,
                template.render(
                    row=row,
                    evidence=evidence.get(row.id, {}),
                    copy_info=info[row.copy.id],
                    original_info=info[row.original.id],
                    common=originals.get((row.copy.id, row.original.id)),
                    back=back,
                ),
            )


def _chunks(rows: Iterable[MatchRow], size: int) -> Iterator[list[MatchRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write_evidence(
    session: Session, rows: Iterable[MatchRow], directory: Path, back: str | None = None
) -> int:
    """Write evidence/match-N.html for each row; returns how many were written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    for match_id, page in evidence_pages(session, rows, back=back):
        (directory / f"match-{match_id}.html").write_text(page, encoding="utf-8")
        written += 1
    return written


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
