"""The progress line of `match`'s long stages: throttled, and its time left read from the
recent rate, on a clock the test moves."""

from __future__ import annotations

import pytest
from test_matching import write_jsonl

from crawler import matching
from crawler.ingest import ingest
from crawler.matching import run_matching
from crawler.meter import Meter, duration
from db.session import connect


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def meter(total: int, **kwargs) -> tuple[Meter, Clock, list[str]]:
    clock, lines = Clock(), []
    return Meter("match", total, lines.append, clock=clock, **kwargs), clock, lines


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59.4, "0:59"), (61, "1:01"), (3600 * 27 + 5, "27:00:05")]
)
def test_durations_read_as_a_clock(seconds, text):
    assert duration(seconds) == text


def test_no_estimate_before_two_batches_then_the_rate_since_the_first():
    m, clock, lines = meter(1000)
    clock.now += 30  # starting the workers and the index: not part of the rate
    m.update(100, "3 new matches")
    clock.now += 10
    m.update(200, "5 new matches")
    assert lines == [
        "match: 100/1,000 articles, 3 new matches, time left not known yet",
        "match: 200/1,000 articles, 5 new matches, about 1:20 left",
    ]


def test_the_estimate_follows_a_rate_that_falls():
    m, clock, lines = meter(10_000, window=60)
    for done in range(100, 2100, 100):  # 100 articles every 5 s for 100 s
        clock.now += 5
        m.update(done)
    for done in range(2050, 2550, 50):  # then 50 every 5 s (a larger index)
        clock.now += 5
        m.update(done)
    # The window's oldest sample is 60 s back, at 1,800 done: 700 articles in 60 s, where the
    # rate since the first batch (2,400 in 145 s) would promise 7:33.
    assert lines[-1] == f"match: 2,500/10,000 articles, about {duration(7500 * 60 / 700)} left"


def test_lines_come_at_most_every_few_seconds_and_the_last_always():
    m, clock, lines = meter(50, every=2.0)
    for done in range(1, 51):
        clock.now += 0.5
        m.update(done)
    assert len(lines) == 1 + 49 // 4 + 1
    assert lines[-1] == "match: 50/50 articles, done in 0:25"


def test_a_match_run_says_its_progress_and_when_it_is_done(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setattr(matching, "COMMIT_EVERY", 1)  # one batch per article
    engine = connect(sqlite_url)
    for site, role, names in (
        ("planet", "source", ["ferry_en", "audit_en"]),
        ("farm", "suspect", ["ferry_ja", "audit_ru"]),
    ):
        ingest(engine, write_jsonl(tmp_path / f"{site}.jsonl", site, names), site, role)
    lines: list[str] = []
    run_matching(engine, progress=lines.append, through_sites=False)
    fingerprint = [line for line in lines if line.startswith("fingerprint:")]
    match = [line for line in lines if line.startswith("match:")]
    assert fingerprint[0] == "fingerprint: 1/4 articles, time left not known yet"
    assert fingerprint[-1].startswith("fingerprint: 4/4 articles, done in 0:")
    assert match[0].endswith("time left not known yet")
    assert match[-1].startswith("match: 4/4 articles, 2 new matches, done in 0:")
