"""The `match` step: fingerprint new articles, find their copies and originals, record matches.

Incremental and symmetric: every article already matched goes into the candidate index as it is;
each waiting article is then matched against everything in the index and added to it, so a copy
stored before its original is found when the original arrives.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.models import Article, Site
from db.session import session_factory
from db.store import (
    articles_needing_fingerprint,
    count_fingerprints,
    iter_fingerprints,
    mark_matched,
    resolve_relations,
    save_fingerprint,
    unfingerprintable,
    upsert_match,
)
from dedup import (
    FINGERPRINT_VERSION,
    CandidateIndex,
    Document,
    Fingerprint,
    Matcher,
    Provenance,
    Verdict,
    choose_original,
    fingerprint,
    sentences,
)

MAX_PASSAGES = 12
COMMIT_EVERY = 200


@dataclass
class MatchStats:
    fingerprinted: int = 0
    matched: int = 0
    new_matches: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def run_matching(
    engine: Engine,
    storage_config: dict | None = None,
    prefix: str = "syndetect",
    progress: Progress | None = _stderr,
) -> MatchStats:
    started = time.monotonic()
    stats = MatchStats()
    with session_factory(engine)() as session:
        stats.fingerprinted = _fingerprint_pending(session, progress)
        index = CandidateIndex(storage_config=storage_config, prefix=prefix)
        # A persistent index (Redis) already holds what earlier runs matched; load only when
        # it is out of step with the database (in memory: always, it starts empty).
        if len(index) != count_fingerprints(session, FINGERPRINT_VERSION, matched=True):
            for article_id, data in iter_fingerprints(session, FINGERPRINT_VERSION, matched=True):
                index.insert(str(article_id), Fingerprint.from_bytes(data))
        matcher = Matcher(index, _fingerprint_loader(session))
        pending = list(iter_fingerprints(session, FINGERPRINT_VERSION, matched=False))
        done: list[int] = []
        for article_id, data in pending:
            for other_key, verdict in matcher.match(str(article_id), Fingerprint.from_bytes(data)):
                stats.new_matches += _record(session, article_id, int(other_key), verdict)
            done.append(article_id)
            if len(done) % COMMIT_EVERY == 0:
                _commit_matched(session, done, progress, stats, len(pending))
        _commit_matched(session, done, progress, stats, len(pending))
        resolve_relations(session)
        # Articles too short to fingerprint count as matched: there is nothing to look for.
        mark_matched(session, unfingerprintable(session, FINGERPRINT_VERSION), FINGERPRINT_VERSION)
        session.commit()
    stats.seconds = time.monotonic() - started
    return stats


def _commit_matched(
    session: Session, done: list[int], progress: Progress | None, stats: MatchStats, total: int
) -> None:
    mark_matched(session, done, FINGERPRINT_VERSION)
    session.commit()
    stats.matched += len(done)
    if progress and done:
        progress(f"match: {stats.matched}/{total} articles, {stats.new_matches} new matches")
    done.clear()


def _fingerprint_pending(session: Session, progress: Progress | None) -> int:
    ids = articles_needing_fingerprint(session, FINGERPRINT_VERSION)
    for count, article_id in enumerate(ids, 1):
        article = session.get(Article, article_id)
        fp = fingerprint(Document(text=article.text, lang=article.lang, title=article.title))
        save_fingerprint(
            session, article_id, FINGERPRINT_VERSION, fp.to_bytes() if fp is not None else None
        )
        if count % COMMIT_EVERY == 0:
            session.commit()
            if progress:
                progress(f"fingerprint: {count}/{len(ids)} articles")
    session.commit()
    return len(ids)


def _fingerprint_loader(session: Session) -> Callable[[str], Fingerprint | None]:
    from db.models import Fingerprint as StoredFingerprint

    @lru_cache(maxsize=4096)
    def load(key: str) -> Fingerprint | None:
        stored = session.get(StoredFingerprint, int(key))
        if stored is None or stored.data is None or stored.version != FINGERPRINT_VERSION:
            return None
        return Fingerprint.from_bytes(stored.data)

    return load


def _provenance(article: Article, site: Site) -> Provenance:
    return Provenance(
        key=str(article.id),
        role=site.role,
        published=article.published,
        first_seen=article.first_seen,
    )


def _record(session: Session, a_id: int, b_id: int, verdict: Verdict) -> int:
    """Orient the pair (which one is the original) and store it; 1 when the pair is new."""
    a, b = session.get(Article, a_id), session.get(Article, b_id)
    if a is None or b is None or a.site_id == b.site_id:
        # One site re-publishing its own text (new URL, update) is not syndication.
        return 0
    original_key = choose_original(_provenance(a, a.site), _provenance(b, b.site)).key
    original, copy = (a, b) if original_key == str(a.id) else (b, a)
    flipped = original is not a
    evidence = {
        "anchors": list(verdict.anchors),
        "passages": _passages(a, b, verdict, flipped),
    }
    attributed = original.url in (copy.links or []) or copy.attribution_url == original.url
    return int(
        upsert_match(
            session, copy.id, original.id, verdict.score, verdict.kind, evidence, attributed
        )
    )


def _passages(a: Article, b: Article, verdict: Verdict, flipped: bool) -> list[list[str]]:
    """Aligned sentences as [original sentence, copy sentence] pairs."""
    sa, sb = sentences(a.text), sentences(b.text)
    pairs = []
    for i, j in verdict.aligned[:MAX_PASSAGES]:
        if i < len(sa) and j < len(sb):
            pairs.append([sb[j], sa[i]] if flipped else [sa[i], sb[j]])
    return pairs
