from __future__ import annotations

from datetime import UTC, datetime

from dedup.originality import Provenance, choose_original

T1 = datetime(2024, 1, 1, 8, 0)
T2 = datetime(2024, 1, 2, 8, 0)


def test_source_beats_suspect_even_when_published_later() -> None:
    source = Provenance("s", "source", T2, T2)
    suspect = Provenance("x", "suspect", T1, T1)
    assert choose_original(source, suspect) is source
    assert choose_original(suspect, source) is source


def test_earlier_publication_then_first_seen_then_key() -> None:
    a = Provenance("a", "suspect", T1, T2)
    b = Provenance("b", "suspect", T2, T1)
    assert choose_original(a, b) is a and choose_original(b, a) is a
    c = Provenance("c", "suspect", None, T1)
    d = Provenance("d", "suspect", None, T2)
    assert choose_original(d, c) is c
    e = Provenance("e", "suspect", None, T1)
    assert choose_original(e, c) is c and choose_original(c, e) is c


def test_known_date_beats_missing_date() -> None:
    dated = Provenance("z", "suspect", T2, T2)
    undated = Provenance("a", "suspect", None, T1)
    assert choose_original(undated, dated) is dated


def test_naive_and_aware_dates_compare() -> None:
    naive = Provenance("a", "suspect", T1, T1)
    aware = Provenance("b", "suspect", T2.replace(tzinfo=UTC), T2.replace(tzinfo=UTC))
    assert choose_original(aware, naive) is naive
