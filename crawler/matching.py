"""The `match` step: fingerprint new articles, find their copies and originals, record matches.

Incremental and symmetric: every article already matched goes into the candidate index as it is;
each waiting article is then matched against everything in the index and added to it, so a copy
stored before its original is found when the original arrives.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path

from sqlalchemy import Engine, Row
from sqlalchemy.orm import Session

from crawler.index_cache import discard_snapshot, load_index, load_rows, save_snapshot
from crawler.interrupt import raise_if_interrupted
from crawler.match_workers import MatchWorkers, Unit
from crawler.meter import Meter, Progress
from db.evidence import passage_spans
from db.session import session_factory
from db.store import (
    MatchRecord,
    Pair,
    articles_for_matching,
    articles_needing_fingerprint,
    count_fingerprints,
    dated_on_site,
    iter_fingerprints,
    mark_matched,
    matched_on_site,
    resolve_relations,
    save_fingerprints,
    site_match_counts,
    sites_of,
    stored_partners,
    texts_to_fingerprint,
    unfingerprintable,
    upsert_matches,
    withdraw_unconfirmed,
)
from dedup import (
    FINGERPRINT_VERSION,
    CandidateIndex,
    Fingerprint,
    Matcher,
    Provenance,
    Verdict,
    choose_original,
)
from dedup.sites import Question, site_pass

MAX_PASSAGES = 12
COMMIT_EVERY = 200


@dataclass
class MatchStats:
    fingerprinted: int = 0
    matched: int = 0
    new_matches: int = 0
    # Pairs recorded earlier that this run verified again and no longer found (texts changed).
    withdrawn: int = 0
    seconds: float = 0.0


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def run_matching(
    engine: Engine,
    storage_config: dict | None = None,
    prefix: str = "syndetect",
    progress: Progress | None = _stderr,
    snapshot: Path | None = None,
    through_sites: bool = True,
) -> MatchStats:
    """Fingerprint and match what is waiting. The in-memory index (storage_config None) is
    read from and written back to the `snapshot` file, if one is given (see index_cache);
    through_sites: then look for copies through linked sites (`[match] through_sites`)."""
    started = time.monotonic()
    stats = MatchStats()
    withdrawn: dict[Pair, datetime] = {}
    with session_factory(engine)() as session:
        to_fingerprint = articles_needing_fingerprint(session, FINGERPRINT_VERSION)
        waiting = count_fingerprints(session, FINGERPRINT_VERSION, matched=False)
        with MatchWorkers(engine, session, len(to_fingerprint) + waiting) as workers:
            # Signatures are stored only for an index rebuilt from them at every run: one in
            # memory without a snapshot file. Elsewhere they would be 2 KB an article for a
            # rebuild that is rare (and computes them from the fingerprints, 0.2 ms each).
            keep = storage_config is None and snapshot is None
            stats.fingerprinted = _fingerprint(session, workers, to_fingerprint, keep, progress)
            index, saved = _open_index(session, storage_config, prefix, snapshot)
            if count_fingerprints(session, FINGERPRINT_VERSION, matched=False):
                discard_snapshot(snapshot)
                saved = False
                links = site_match_counts(session)
                fresh = _match_pending(
                    session, workers, Matcher(index, workers.load), stats, withdrawn, progress
                )
                if through_sites:
                    _match_through_sites(session, workers, links, fresh, stats, withdrawn, progress)
            if snapshot is not None and not saved:
                # Said even with --quiet: without it every run rebuilds the index.
                save_snapshot(index, snapshot, _stderr)
        resolve_relations(session)
        # Articles too short to fingerprint count as matched: there is nothing to look for, and
        # no pair of theirs holds any more.
        too_short = unfingerprintable(session, FINGERPRINT_VERSION)
        withdrawn.update(withdraw_unconfirmed(session, too_short, set()))
        mark_matched(session, too_short, FINGERPRINT_VERSION)
        session.commit()
    stats.withdrawn = len(withdrawn)
    stats.seconds = time.monotonic() - started
    return stats


def _match_pending(
    session: Session,
    workers: MatchWorkers,
    matcher: Matcher,
    stats: MatchStats,
    withdrawn: dict[Pair, datetime],
    progress: Progress | None,
) -> set[int]:
    """Match the waiting articles a batch at a time: candidates in order (each article meets
    those before it, as they join the index), verification on the workers, then the verdicts
    recorded and the batch marked matched in one transaction. While the workers verify one
    batch, this process collects the next batch's candidates and records the previous one.
    An article matched before (its text or the fingerprints changed) is verified again against
    every article it was paired with, whatever the index says, and pairs that no longer hold
    are withdrawn. Returns the ids of the articles matched."""
    pending = list(iter_fingerprints(session, FINGERPRINT_VERSION, matched=False))
    meter = Meter("match", len(pending), progress) if progress else None
    in_flight: tuple[list[Unit], Iterator[list[tuple[str, Verdict]]]] | None = None
    for start in range(0, len(pending), COMMIT_EVERY):
        batch = pending[start : start + COMMIT_EVERY]
        partners = stored_partners(session, [article_id for article_id, _ in batch])
        candidates = {
            article_id: partners.get(article_id, set())
            | {
                int(key)
                for key in matcher.candidates(str(article_id), Fingerprint.from_bytes(data))
            }
            for article_id, data in batch
        }
        units = _other_sites(session, candidates)
        verifying = (units, workers.verify(units))
        if in_flight is not None:
            _record_batch(session, *in_flight, stats, withdrawn)
            _report(meter, stats)
        in_flight = verifying
    if in_flight is not None:
        _record_batch(session, *in_flight, stats, withdrawn)
        _report(meter, stats)
    return {article_id for article_id, _ in pending}


def _other_sites(session: Session, candidates: dict[int, set[int]]) -> list[Unit]:
    """Each article's unit with its candidates on other sites only: a pair within one site is
    never recorded (_oriented), so it is not verified either. A site's articles share its
    topics, and so its anchors: a third of the LSH candidates on the throughput benchmark's
    three sites."""
    site = sites_of(session, chain(candidates, *candidates.values()))
    return [
        (
            str(article_id),
            [str(o) for o in sorted(found) if site.get(o, -1) != site.get(article_id)],
        )
        for article_id, found in candidates.items()
    ]


class _StoredSites:
    """The stored articles as the site pass reads them (dedup.sites.SiteReader), by id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def articles(self, site: int) -> dict[str, datetime | None]:
        on_site = dated_on_site(self.session, site, FINGERPRINT_VERSION)
        return {str(k): t for k, t in on_site.items()}

    def unmatched_with(self, site: int, other: int) -> dict[str, datetime | None]:
        on_site = dated_on_site(self.session, site, FINGERPRINT_VERSION, not_matched_with=other)
        return {str(k): t for k, t in on_site.items()}

    def matched(self, site: int) -> set[str]:
        return {str(k) for k in matched_on_site(self.session, site)}


def _match_through_sites(
    session: Session,
    workers: MatchWorkers,
    links_before: dict[tuple[int, int], int],
    fresh: set[int],
    stats: MatchStats,
    withdrawn: dict[Pair, datetime],
    progress: Progress | None,
) -> None:
    """The site pass (dedup.sites.site_pass) over the stored articles, its comparisons on the
    workers: only pairs with an article matched in this run, or every pair of a link this run
    made or strengthened."""

    def answers(questions: list[Question]) -> Iterator[list[tuple[str, Verdict]]]:
        meter = Meter("site pass", len(questions), progress) if progress else None
        for done, found in enumerate(workers.answers(questions), 1):
            if meter:
                meter.update(done)
            yield found

    found = site_pass(
        site_match_counts(session),
        _StoredSites(session),
        workers.load,
        counts_before=links_before,
        fresh={str(article_id) for article_id in fresh},
        answers=answers,
    )
    pairs = [(int(pair.key), int(pair.other), pair.verdict, pair.links) for pair in found]
    records = _records(session, [(a, b, verdict) for a, b, verdict, _ in pairs])
    for record, (*_, links_found) in zip(records, pairs, strict=True):
        if record is not None:
            record.evidence["site_matches"] = links_found
    new = upsert_matches(session, [r for r in records if r is not None], withdrawn)
    session.commit()
    stats.new_matches += new
    if progress:
        progress(f"match: {new} new matches through linked sites")


def _report(meter: Meter | None, stats: MatchStats) -> None:
    if meter:
        meter.update(stats.matched, f"{stats.new_matches:,} new matches")


def _record_batch(
    session: Session,
    units: list[Unit],
    verdicts: Iterator[list[tuple[str, Verdict]]],
    stats: MatchStats,
    withdrawn: dict[Pair, datetime],
) -> None:
    """Record a batch's verified pairs, withdraw its articles' pairs that no longer verify,
    and mark its articles matched, in one transaction."""
    pairs = [
        (int(key), int(other_key), verdict)
        for (key, _), found in zip(units, verdicts, strict=True)
        for other_key, verdict in found
    ]
    article_ids = [int(key) for key, _ in units]
    confirmed = {frozenset((a, b)) for a, b, _ in pairs}
    withdrawn.update(withdraw_unconfirmed(session, article_ids, confirmed))
    records = _records(session, pairs)
    stats.new_matches += upsert_matches(session, [r for r in records if r is not None], withdrawn)
    mark_matched(session, article_ids, FINGERPRINT_VERSION)
    session.commit()
    raise_if_interrupted()
    stats.matched += len(units)


def _records(session: Session, pairs: list[tuple[int, int, Verdict]]) -> list[MatchRecord | None]:
    """Each verified pair as copy → original with its evidence; None where there is no pair
    to record (an article gone meanwhile, or one site's own republication)."""
    articles = articles_for_matching(session, list({i for a, b, _ in pairs for i in (a, b)}))
    return [
        _oriented(articles[a], articles[b], verdict) if a in articles and b in articles else None
        for a, b, verdict in pairs
    ]


def _fingerprint(
    session: Session,
    workers: MatchWorkers,
    ids: list[int],
    signatures: bool,
    progress: Progress | None,
) -> int:
    meter = Meter("fingerprint", len(ids), progress) if progress else None
    for start in range(0, len(ids), COMMIT_EVERY):
        batch = texts_to_fingerprint(session, ids[start : start + COMMIT_EVERY])
        save_fingerprints(session, workers.fingerprints(batch, signatures), FINGERPRINT_VERSION)
        session.commit()
        raise_if_interrupted()
        if meter:
            meter.update(start + len(batch))
    return len(ids)


def _open_index(
    session: Session, storage_config: dict | None, prefix: str, snapshot: Path | None
) -> tuple[CandidateIndex, bool]:
    """The candidate index holding every matched article, and whether there is nothing to
    write to the snapshot file: it already holds the index as it is, or the index is
    persistent (Redis) and has no snapshot."""
    if storage_config is None:
        return load_index(session, snapshot)
    index = CandidateIndex(storage_config=storage_config, prefix=prefix)
    # A persistent index (Redis) already holds what earlier runs matched; load only when it is
    # out of step with the database.
    if len(index) != count_fingerprints(session, FINGERPRINT_VERSION, matched=True):
        load_rows(session, index)
    return index, True


def _provenance(article: Row) -> Provenance:
    return Provenance(
        key=str(article.id),
        role=article.role,
        published=article.published,
        first_seen=article.first_seen,
    )


def _oriented(a: Row, b: Row, verdict: Verdict) -> MatchRecord | None:
    """The pair as copy → original (which one is the original), with its evidence."""
    if a.site_id == b.site_id:
        # One site re-publishing its own text (new URL, update) is not syndication.
        return None
    original_key = choose_original(_provenance(a), _provenance(b)).key
    original, copy = (a, b) if original_key == str(a.id) else (b, a)
    flipped = original is not a
    evidence: dict[str, object] = {
        "anchors": list(verdict.anchors),
        **_passages(a, b, verdict, flipped),
    }
    if verdict.rhythm is not None:
        evidence["rhythm"] = verdict.rhythm
    attributed = original.url in (copy.links or []) or copy.attribution_url == original.url
    return MatchRecord(copy.id, original.id, verdict.score, verdict.kind, evidence, attributed)


def _passages(a: Row, b: Row, verdict: Verdict, flipped: bool) -> dict[str, object]:
    """The aligned sentences as spans of the original's and the copy's texts (db.evidence)."""
    aligned = verdict.aligned[:MAX_PASSAGES]
    if flipped:
        return passage_spans(b.text, a.text, [(j, i) for i, j in aligned])
    return passage_spans(a.text, b.text, aligned)
