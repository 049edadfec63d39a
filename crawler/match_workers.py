"""The CPU-bound half of `match`, on every core: fingerprinting articles, verifying candidate
pairs and the site pass's comparisons are Python and numpy work of a few milliseconds each, so
one `match` run hands them to worker processes (one per core). Workers open the database
themselves and read fingerprints by article id, so only ids, texts and verdicts cross process
boundaries.

Small runs, single-core machines and in-memory databases (which another process cannot open)
do the same work in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from itertools import chain

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crawler.word_lists import keep_word_lists
from crawler.worker_process import start_worker
from db.session import connect, session_factory
from db.store import load_fingerprints
from dedup import FINGERPRINT_VERSION, Document, Fingerprint, Verdict
from dedup.fingerprint import fingerprint
from dedup.matcher import Loader, verified
from dedup.minhash import SIGNATURE_SIZES
from dedup.sites import SITES, Question, SiteParams, answer, answer_all

WORKERS = len(os.sched_getaffinity(0))
# Below this many articles to fingerprint and match, starting the workers (each imports the
# matching library and loads word frequencies) costs more than it saves.
POOL_MIN_ARTICLES = 300
CACHED_FINGERPRINTS = 4096

# A candidate unit: an article's key and the keys of its candidates.
Unit = tuple[str, list[str]]
# What is stored for an article: (id, fingerprint bytes, signature bytes), None for both when
# the text is too short to fingerprint; no signature bytes where the index does not need them.
StoredFingerprint = tuple[int, bytes | None, bytes | None]


def signature_bytes(fp: Fingerprint) -> bytes:
    """The signatures end to end (SIGNATURE_SIZES, little-endian uint32;
    dedup.index.split_signatures); a space the article has too little for (an empty signature)
    is all 0xFFFFFFFF, which the index leaves out."""
    rows = [
        sig if sig.size else np.full(SIGNATURE_SIZES[name], 0xFFFFFFFF)
        for name, sig in fp.signatures().items()
    ]
    return np.concatenate(rows).astype("<u4").tobytes()


def fingerprint_row(
    row: tuple[int, str, str | None, str | None], signatures: bool = True
) -> StoredFingerprint:
    """(id, text, lang, title) of one article → what is stored of its fingerprint, with its
    signature bytes if `signatures`."""
    article_id, text, lang, title = row
    fp = fingerprint(Document(text=text, lang=lang, title=title))
    if fp is None:
        return article_id, None, None
    return article_id, fp.to_bytes(), signature_bytes(fp) if signatures else None


def fingerprint_loader(session: Session) -> Loader:
    """Fingerprints by key in one query per call, recently used ones kept parsed: an original
    meets its copies one after the other."""
    cache: OrderedDict[str, Fingerprint] = OrderedDict()

    def load(keys: Iterable[str]) -> dict[str, Fingerprint]:
        keys = list(keys)
        missing = [int(key) for key in keys if key not in cache]
        if missing:
            stored = load_fingerprints(session, missing, FINGERPRINT_VERSION)
            for article_id, data in stored.items():
                cache[str(article_id)] = Fingerprint.from_bytes(data)
        found = {}
        for key in keys:
            if key in cache:
                cache.move_to_end(key)
                found[key] = cache[key]
        while len(cache) > CACHED_FINGERPRINTS:
            cache.popitem(last=False)
        return found

    return load


def verify_unit(unit: Unit, load: Loader | None = None) -> list[tuple[str, Verdict]]:
    """The verified copies among a unit's candidates (in a worker: read through its own
    database session)."""
    key, candidates = unit
    prints = (load or _worker_load)([key, *candidates])
    fp = prints.pop(key, None)
    return verified(fp, prints) if fp is not None else []


def verify_units(units: list[Unit]) -> list[list[tuple[str, Verdict]]]:
    """verify_unit of each unit in a worker, the fingerprints they need read in one query (a
    query per unit cost three times the parsing of what it read)."""
    _worker_load({key for article, candidates in units for key in (article, *candidates)})
    return [verify_unit(unit) for unit in units]


def answer_question(question: Question, params: SiteParams) -> list[tuple[str, Verdict]]:
    """dedup.sites.answer in a worker, read through its own database session."""
    return answer(question, _worker_load, params)


_worker_load: Loader


def _start_worker(db_url: str, parent: int) -> None:
    global _worker_load
    start_worker(parent)
    keep_word_lists()
    engine = connect(db_url, migrate=False)
    _worker_load = fingerprint_loader(session_factory(engine)())


class MatchWorkers:
    """Fingerprinting and verification for one `match` run over `work` articles."""

    def __init__(self, engine: Engine, session: Session, work: int) -> None:
        # Fingerprints read in this process (the in-process path, and Matcher's loader).
        self.load = fingerprint_loader(session)
        keep_word_lists()
        self._executor: ProcessPoolExecutor | None = None
        if WORKERS >= 2 and work >= POOL_MIN_ARTICLES and not _in_memory(engine):
            self._executor = ProcessPoolExecutor(
                WORKERS,
                # spawn, not fork: the parent holds database connections a forked child must
                # not share.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                # The parent's pid read here, not in the worker: see worker_process.worker_pool.
                initargs=(engine.url.render_as_string(hide_password=False), os.getpid()),
            )

    def fingerprints(
        self, rows: list[tuple[int, str, str | None, str | None]], signatures: bool = True
    ) -> list[StoredFingerprint]:
        """fingerprint_row of each row, in order."""
        job = partial(fingerprint_row, signatures=signatures)
        if self._executor is None:
            return [job(row) for row in rows]
        return list(self._executor.map(job, rows, chunksize=self._chunk(rows)))

    def verify(self, units: list[Unit]) -> Iterator[list[tuple[str, Verdict]]]:
        """verify_unit of each unit, in order: started now on the workers (in this process:
        as the results are iterated)."""
        if self._executor is None:
            return (verify_unit(unit, self.load) for unit in units)
        size = self._chunk(units)
        chunks = [units[start : start + size] for start in range(0, len(units), size)]
        return chain.from_iterable(self._executor.map(verify_units, chunks))

    def answers(
        self, questions: list[Question], params: SiteParams = SITES
    ) -> Iterator[list[tuple[str, Verdict]]]:
        """The site pass's answers to questions, in order (dedup.sites.Answers)."""
        if self._executor is None:
            return answer_all(questions, self.load, params)
        job = partial(answer_question, params=params)
        return self._executor.map(job, questions, chunksize=self._chunk(questions))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    def __enter__(self) -> MatchWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _chunk(items: list) -> int:
        # A few chunks per worker: large enough to amortize the pipe, small enough to balance.
        return max(1, len(items) // (4 * WORKERS))


def _in_memory(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
