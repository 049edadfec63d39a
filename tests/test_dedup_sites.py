from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dedup import Document, mapping_loader
from dedup.fingerprint import fingerprint
from dedup.sites import (
    SITES,
    anchor_chance,
    answer,
    chance,
    copy_by_evidence,
    evidence_of,
    link_odds,
    linked_sites,
    max_chance,
    nearest_in_time,
    pair_evidence,
    questions,
    timeline,
)

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def fp(name: str):
    return fingerprint(Document(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"), name[-2:]))


def test_a_translation_without_anchors_is_found_among_its_sites_articles() -> None:
    found = copy_by_evidence(fp("garden_fr"), {"garden": fp("garden_en"), "bread": fp("bread_en")})
    assert found is not None
    key, verdict = found
    assert key == "garden"
    assert verdict.kind == "translation" and 2 * chance(verdict.rhythm) <= SITES.max_chance
    assert verdict.aligned == ()  # no anchors to align: the rhythm is the evidence


def test_nothing_is_found_when_the_original_is_not_there() -> None:
    assert copy_by_evidence(fp("garden_fr"), {"bread": fp("bread_en")}) is None
    assert copy_by_evidence(fp("garden_fr"), {}) is None


def test_two_articles_that_both_fit_decide_nothing() -> None:
    # The original published twice (two URLs): the copy cannot tell which one it follows.
    both = {"garden": fp("garden_en"), "garden-again": fp("garden_en")}
    assert copy_by_evidence(fp("garden_fr"), both) is None


def test_sites_are_linked_one_way_by_their_matches() -> None:
    pairs = {("farm", "planet"): 2, ("planet", "farm"): 1, ("blog", "wire"): 0, ("farm", "farm"): 5}
    assert linked_sites(pairs) == {("farm", "planet"): 2, ("planet", "farm"): 1}
    # One match links two sites less surely than two: its articles meet a higher bar.
    assert link_odds(1) < link_odds(2) == link_odds(9) == 1.0


def test_the_lower_the_odds_the_higher_the_bar() -> None:
    assert max_chance(2, elsewhere=False) == SITES.max_chance
    assert max_chance(1, elsewhere=False) < SITES.max_chance
    # An article matched with a third site copies that one far more often than this one too.
    assert max_chance(2, elsewhere=True) < max_chance(1, elsewhere=False)
    assert max_chance(1, elsewhere=True) < max_chance(2, elsewhere=True)


def test_a_copy_is_found_only_under_its_bar() -> None:
    copy, candidates = fp("garden_fr"), {"garden": fp("garden_en"), "bread": fp("bread_en")}
    _, verdict = copy_by_evidence(copy, candidates)
    at_the_bar = 2 * chance(verdict.rhythm)  # two candidates, no anchors: the rhythm decides
    assert copy_by_evidence(copy, candidates, bar=at_the_bar * 1.01) is not None
    assert copy_by_evidence(copy, candidates, bar=at_the_bar * 0.99) is None


def test_candidates_are_the_articles_nearest_in_time_within_the_window() -> None:
    day = datetime(2025, 3, 1)
    articles = {
        "same-day": day,
        "next-week": day + timedelta(days=7),
        "last-year": day - timedelta(days=365),
        "undated": None,
        "edge": day + SITES.window,
    }
    line = timeline(articles)
    assert nearest_in_time(day, line) == ["same-day", "undated", "next-week", "edge"]
    assert len(nearest_in_time(None, line)) == len(articles)
    many = {str(i): day + timedelta(hours=i) for i in range(3 * SITES.max_candidates)}
    assert nearest_in_time(day, timeline(many)) == [str(i) for i in range(SITES.max_candidates)]
    before_and_after = {"early": day - timedelta(days=2), "late": day + timedelta(days=1)}
    assert nearest_in_time(day, timeline(before_and_after)) == ["late", "early"]


def test_the_more_candidates_the_higher_the_bar() -> None:
    assert all(chance(e) > chance(e + 0.25) for e in (1.0, 2.9, 3.0, 4.2, 5.5, 7.0))
    # Evidence 4 decides among a handful of articles, not among fifty.
    assert 5 * chance(4.0) > SITES.max_chance >= 1 * chance(4.0)
    assert 50 * chance(4.0) > SITES.max_chance >= 50 * chance(6.0)


def test_shared_anchors_add_their_chance_to_the_rhythms() -> None:
    copy = fp("ferry_de")
    evidence, rhythm = pair_evidence(copy, fp("ferry_en"))
    assert evidence > rhythm + 2  # names and numbers in order: far rarer than the rhythm alone
    assert pair_evidence(fp("garden_fr"), fp("garden_en")) == (pytest.approx(7.07, abs=0.01),) * 2
    candidates = {"ferry": fp("ferry_en"), "garden": fp("garden_en"), "bread": fp("bread_en")}
    key, verdict = copy_by_evidence(copy, candidates)
    assert key == "ferry" and verdict.rhythm == round(rhythm, 3)
    assert 3 * chance(rhythm) > SITES.max_chance  # the rhythm alone would not have decided


def test_anchors_without_the_sentence_order_are_a_topic() -> None:
    # Another French article on the same kettle: the same names, its own sentences.
    candidates = {"kettle": fp("kettle_en"), "garden": fp("garden_en")}
    assert copy_by_evidence(fp("kettle_other_fr"), candidates) is None
    assert copy_by_evidence(fp("kettle_fr"), candidates)[0] == "kettle"


def test_chances_read_from_the_measured_tables() -> None:
    for evidence in (0.5, 2.7, 3.0, 4.2, 7.0):
        assert evidence_of(chance(evidence)) == pytest.approx(evidence)
    assert anchor_chance(None) == anchor_chance(-20.0) == 1.0
    assert 1.0 > anchor_chance(-8.0) > anchor_chance(0.0) > anchor_chance(4.0)
    assert anchor_chance(12.0) == anchor_chance(4.0)  # no rarer than measured


def test_the_verifier_decides_first_among_a_linked_sites_articles() -> None:
    # A pair the index did not propose: the verifier's verdict, with its passages, not the
    # rhythm's bare one.
    day = datetime(2025, 3, 1)
    prints = {"copy": fp("ferry_de"), "ferry": fp("ferry_en"), "bread": fp("bread_en")}
    [question] = questions({"copy": day}, {"ferry": day, "bread": day}, links=2)
    assert (question.key, question.near, question.bar) == (
        "copy",
        ("bread", "ferry"),
        max_chance(2, False),
    )
    found = answer(question, mapping_loader(prints))
    assert [other for other, _ in found] == ["ferry"]
    assert found[0][1].kind == "translation" and found[0][1].aligned
