from __future__ import annotations

from pathlib import Path

from dedup import CandidateIndex, Document, Fingerprint, Matcher, mapping_loader
from dedup.fingerprint import fingerprint

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
NAMES = ("ferry_en", "ferry_ru", "ferry_de", "audit_en")


def fps() -> dict[str, Fingerprint]:
    out = {}
    for name in NAMES:
        fp = fingerprint(Document(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"), name[-2:]))
        assert fp is not None
        out[name] = fp
    return out


def run(order: list[str]) -> set[frozenset[str]]:
    prints = fps()
    matcher = Matcher(CandidateIndex(), mapping_loader(prints))
    pairs = set()
    for key in order:
        for other, verdict in matcher.match(key, prints[key]):
            assert verdict.score > 0
            pairs.add(frozenset((key, other)))
    return pairs


def test_copies_found_whatever_the_arrival_order() -> None:
    expected = {
        frozenset(("ferry_en", "ferry_ru")),
        frozenset(("ferry_en", "ferry_de")),
        frozenset(("ferry_ru", "ferry_de")),
    }
    assert run(list(NAMES)) == expected
    assert run(list(reversed(NAMES))) == expected


def test_matching_a_key_twice_does_not_match_itself() -> None:
    prints = fps()
    matcher = Matcher(CandidateIndex(), mapping_loader(prints))
    matcher.match("ferry_en", prints["ferry_en"])
    assert matcher.match("ferry_en", prints["ferry_en"]) == []


def test_unloadable_candidates_are_skipped() -> None:
    prints = fps()
    index = CandidateIndex()
    index.insert("gone", prints["ferry_en"])
    assert Matcher(index, lambda keys: {}).match("ferry_ru", prints["ferry_ru"]) == []
