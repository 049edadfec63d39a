"""A match's evidence as stored, and as readers see it.

`match` stores the aligned passages as character spans of the two stored texts, not the
sentences a second time: `spans` is a list of [original start, length, copy start, length]
(code points into `articles.text`, 0-based), `spans_crc32` the CRC-32 of the passages they
cut, so that a text changed since (until `match` verifies the pair again) shows no passage
rather than the wrong one. Readers get the documented `passages` ([original sentence, copy
sentence] pairs) back by slicing: `readable`, `evidence_of`. Databases written before this
format hold `passages` as text, read as they are.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db.models import Article, Match
from dedup.segment import sentences

SPANS, CHECK = "spans", "spans_crc32"


def _offsets(text: str) -> list[tuple[int, int]]:
    """(start, length) of each of `sentences(text)` in `text`: every sentence is a stripped
    piece of it, in order."""
    out, position = [], 0
    for sentence in sentences(text):
        start = text.find(sentence, position)
        out.append((start, len(sentence)))
        position = start + len(sentence)
    return out


def _checksum(pairs: Iterable[Sequence[str]]) -> int:
    return zlib.crc32("\x00".join(s for pair in pairs for s in pair).encode("utf-8"))


def passage_spans(
    original: str, copy: str, aligned: Iterable[tuple[int, int]]
) -> dict[str, object]:
    """What `match` stores of the aligned sentences (index in the original's sentences, index
    in the copy's): their spans and checksum. Indices past either text's end are left out."""
    in_original, in_copy = _offsets(original), _offsets(copy)
    spans = [
        [*in_original[i], *in_copy[j]]
        for i, j in aligned
        if i < len(in_original) and j < len(in_copy)
    ]
    return {SPANS: spans, CHECK: _checksum(_cut(spans, original, copy))}


def _cut(spans: list[list[int]], original: str, copy: str) -> list[list[str]]:
    return [[original[a : a + m], copy[b : b + n]] for a, m, b, n in spans]


def readable(evidence: dict, original: str, copy: str) -> dict:
    """The evidence with its documented keys (anchors, passages, rhythm, site_matches): stored
    spans become passages cut from the two texts; none when a text changed since."""
    if SPANS not in evidence:
        return dict(evidence)  # written before spans, or no passage at all
    shown = {k: v for k, v in evidence.items() if k not in (SPANS, CHECK)}
    passages = _cut(evidence[SPANS], original, copy)
    shown["passages"] = passages if _checksum(passages) == evidence.get(CHECK) else []
    return shown


def evidence_of(session: Session, ids: Sequence[int]) -> dict[int, dict]:
    """Match id -> its readable evidence (anchors, passages, rhythm, site_matches), in one
    query with both articles' texts."""
    original, copy = aliased(Article), aliased(Article)
    query = (
        select(Match.id, Match.evidence, original.text, copy.text)
        .join(original, original.id == Match.original_id)
        .join(copy, copy.id == Match.copy_id)
        .where(Match.id.in_(list(ids)))
    )
    return {
        match_id: readable(evidence or {}, original_text, copy_text)
        for match_id, evidence, original_text, copy_text in session.execute(query)
    }
