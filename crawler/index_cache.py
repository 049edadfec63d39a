"""The in-memory candidate index between `match` runs.

A run ends by writing the index to a snapshot file (`[index] snapshot`; by default beside a
SQLite database). The next run reads it and brings it in step with the database: articles that
changed or were deleted since leave it, articles matched since join it. Reading a million
articles' band keys is a file read, where rebuilding them means reading and sorting every
signature row again.

The database stays the truth. A snapshot that cannot be read, was written for other settings,
or disagrees with the database on a sample of its articles (another database at the same path)
is ignored and the index rebuilt from the signature rows. A run removes the snapshot before it
changes the index and writes it again at the end, so a run that dies half-way leaves none.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crawler.match_workers import signature_bytes
from db.store import matched_article_ids, signature_batches
from dedup import FINGERPRINT_VERSION, CandidateIndex, Fingerprint
from dedup.index import split_signatures
from dedup.minhash import SIGNATURE_WIDTH

LOAD_BATCH = 100_000  # the compact store sorts each batch: fewer, larger ones load faster
SAMPLE = 64  # articles of a snapshot checked against their signature rows in the database


def snapshot_path(engine: Engine, configured: Path | bool | None) -> Path | None:
    """The snapshot file: the configured path; by default (None) beside a SQLite database
    file, and none for an in-memory or server database (where the matcher runs is not known:
    `[index] snapshot` names a path); none if configured False."""
    if configured is not None:
        return configured if isinstance(configured, Path) else None
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(f"{database}.index")


def load_index(session: Session, snapshot: Path | None) -> tuple[CandidateIndex, bool]:
    """The compact index of every matched article, and whether it is exactly the snapshot (no
    need to write it again unless the run changes it)."""
    if snapshot is not None:
        restored = _restored(session, snapshot)
        if restored is not None:
            return restored
    index = CandidateIndex()
    load_rows(session, index)
    return index, False


def load_rows(session: Session, index: CandidateIndex) -> None:
    """Put every matched article into the index from its signature rows."""
    _insert_rows(index, signature_batches(session, FINGERPRINT_VERSION, LOAD_BATCH))


def discard_snapshot(snapshot: Path | None) -> None:
    """Remove the snapshot before the index changes: a run that dies leaves none to mislead
    the next one."""
    if snapshot is not None:
        snapshot.unlink(missing_ok=True)


def save_snapshot(
    index: CandidateIndex, snapshot: Path, warn: Callable[[str], None] | None
) -> None:
    """Write the index to the snapshot file atomically (a temporary file, then a rename). A
    failure to write is a warning: the matches are stored, the next run rebuilds the index."""
    temporary = snapshot.with_name(snapshot.name + ".tmp")
    arrays = {"fingerprint_version": np.array(FINGERPRINT_VERSION), **index.snapshot()}
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as out:
            # The names, then each array: .npy records one after another, read back in order
            # (an .npz would cost a CRC pass over a gigabyte at every load).
            np.save(out, np.array(list(arrays)))
            for values in arrays.values():
                np.save(out, values)
        os.replace(temporary, snapshot)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if warn:
            warn(f"index snapshot {snapshot}: not written ({error.strerror or error})")


def _restored(session: Session, snapshot: Path) -> tuple[CandidateIndex, bool] | None:
    try:
        arrays = read_snapshot(snapshot)
        if int(arrays["fingerprint_version"]) != FINGERPRINT_VERSION:
            return None
        index = CandidateIndex.from_snapshot(arrays)
        indexed = arrays["keys"].astype(np.int64)
    except (OSError, ValueError, KeyError, EOFError):
        return None
    matched = matched_article_ids(session, FINGERPRINT_VERSION)
    kept = np.isin(indexed, matched)
    if not _agrees(session, index, indexed[kept]):
        return None
    stale, missing = indexed[~kept], matched[~np.isin(matched, indexed)]
    index.remove([str(i) for i in stale.tolist()])
    # Missing: matched since the snapshot was written, or with no fingerprint (too short: no
    # row, and nothing the snapshot lacks).
    added = _insert_rows(
        index, signature_batches(session, FINGERPRINT_VERSION, LOAD_BATCH, missing)
    )
    return index, not stale.size and not added


def read_snapshot(snapshot: Path) -> dict[str, np.ndarray]:
    """The arrays save_snapshot wrote, by name."""
    with open(snapshot, "rb") as stream:
        names = np.load(stream).tolist()
        return {name: np.load(stream) for name in names}


def _agrees(session: Session, index: CandidateIndex, shared: np.ndarray) -> bool:
    """Whether a sample of the articles both hold are indexed under their stored signatures."""
    sample = np.random.default_rng().choice(shared, min(SAMPLE, shared.size), replace=False)
    for batch in signature_batches(session, FINGERPRINT_VERSION, SAMPLE, sample):
        spaces = split_signatures(_signature_matrix(batch))
        for i, (article_id, _, _) in enumerate(batch):
            row = {name: rows[i] for name, rows in spaces.items()}
            if not index.holds(str(article_id), **row):
                return False
    return True


def _insert_rows(index: CandidateIndex, batches: Iterable[list]) -> int:
    """Put batches of (article id, signatures, fingerprint) rows into the index; how many."""
    # One buffer for all batches: a fresh 200 MB array per batch cost more in page faults
    # than copying the rows into it.
    buffer = np.empty((LOAD_BATCH, SIGNATURE_WIDTH), dtype="<u4")
    inserted = 0
    for batch in batches:
        spaces = split_signatures(_signature_matrix(batch, buffer))
        keys = [str(article_id) for article_id, _, _ in batch]
        index.insert_many(keys, **spaces)
        inserted += len(batch)
    return inserted


def _signature_matrix(batch: list, buffer: np.ndarray | None = None) -> np.ndarray:
    """(len(batch), SIGNATURE_WIDTH) signatures of signature rows, in buffer if given."""
    rows = np.empty((len(batch), SIGNATURE_WIDTH), dtype="<u4") if buffer is None else buffer
    for i, (_, signatures, data) in enumerate(batch):
        if signatures is None:  # a row written before migration 0002
            signatures = signature_bytes(Fingerprint.from_bytes(data))
        rows[i] = np.frombuffer(signatures, dtype="<u4")
    return rows[: len(batch)]
