"""Copies found through their sites. A farm that keeps republishing one source is known by the
copies its anchors gave away; its other articles, posts and chats with no name or number to
share, are then compared with the source's articles of the same weeks by the order of their
sentence lengths (dedup/rhythm.py), which a translation keeps, and by the few names or numbers
they share in order, too few for the verifier alone. Among a site's articles of a few weeks,
the copy's original stands out; by chance, nothing does — how rarely is measured (CHANCE,
ANCHOR_CHANCE), and the more articles a copy is compared with, and the lower the odds that it
copies this site at all, the higher the bar.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Container, Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from dedup.fingerprint import Fingerprint
from dedup.matcher import Loader, verified
from dedup.verify import (
    RHYTHM_MIN_EVIDENCE,
    TRANSLATION_MIN_LOGIT,
    Verdict,
    anchor_logit,
    rhythm_evidence,
    shared_labels,
)

Site = TypeVar("Site", bound=Hashable)  # a site's name or id

# How often a pair of different stories reaches each rhythm evidence: random pairs with alike
# sentence counts from the tune halves of seeds 3-5 (bench/quality_world.py); 36,000 of them
# below 3, 180,000 from 3 on.
CHANCE = (
    (1.0, 8.7e-2),
    (1.5, 2.9e-2),
    (2.0, 7.8e-3),
    (2.5, 2.3e-3),
    (3.0, 6.6e-4),
    (3.5, 2.1e-4),
    (4.0, 6.1e-5),
    (4.5, 2.8e-5),
    (5.0, 1.7e-5),
    (5.5, 5.6e-6),
)
# How often such a pair's shared anchors, aligned in order, reach each logit of the verifier's
# model (dedup.verify.anchor_logit): 300,000 random pairs, as above. Nothing is read beyond the
# last point: too few pairs reach it to say how rare more is.
ANCHOR_CHANCE = (
    (-8.0, 5.4e-2),
    (-6.0, 1.8e-2),
    (-4.0, 5.2e-3),
    (-2.0, 1.7e-3),
    (0.0, 5.5e-4),
    (2.0, 1.8e-4),
    (4.0, 5.0e-5),
)
# Pairs that share anchors are a little more alike in rhythm too (shared genre: lists, chats):
# among them, each rhythm evidence from 1 to 3.5 is reached 1.3 to 2 times as often.
DEPENDENCE = 2.0
# The tables in log chance, which they are linear in; and the rhythm's the other way round,
# in increasing log chance.
_LOG_CHANCE = tuple((x, math.log(p)) for x, p in CHANCE)
_EVIDENCE_OF_LOG = tuple((math.log(p), x) for x, p in reversed(CHANCE))
_LOG_ANCHOR_CHANCE = tuple((x, math.log(p)) for x, p in ANCHOR_CHANCE)
# The best candidate is the original when the candidates compared, times the chance of its
# evidence, stay under this: about 3.5 for one candidate (the second look's own threshold),
# 4.3 for five, 5.7 for fifty. Tune halves, by rhythm alone, every unmatched article of a site
# linked by 2 matches or more against the windowed articles of the site it copies (2 to 10
# mostly): 70 right (34 long, 8 of them CJK), none wrong; at 5e-4, 85 right and 2 wrong; a
# fixed threshold of 5, 41 right.
MAX_CHANCE = 2e-4
# The lower the odds that an article copies the linked site, the less chance allowed. Tune halves,
# best candidates up to a bar of 1e-2, original or not: articles nothing matched, on sites
# linked by 2 matches or more, 364 and 40 (odds 9.1); by 1 match, 36 and 16 (odds 2.3, 4 times
# lower); articles already matched with a third site, 89 and 156 (odds 0.57, 16 times lower:
# they copy that site, or are its source). At the bars below, 2e-4 times these odds: 21 right
# and none wrong by 1 match, 13 right (6 long) and none wrong elsewhere; at 2e-4 elsewhere, 40
# right and 7 wrong.
STRONG_LINK = 2  # matches that link two sites at full odds
WEAK_LINK_ODDS = 1 / 4
ELSEWHERE_ODDS = 1 / 16
# And it must stand this far above the next one (two near copies of one text decide nothing).
MARGIN = 1.5
WINDOW = timedelta(days=30)  # copies appear within days of their original
MAX_CANDIDATES = 50  # a copy is compared with the source's articles nearest in time


def linked_sites(counts: Mapping[tuple[Site, Site], int]) -> dict[tuple[Site, Site], int]:
    """The (copying site, copied site) pairs of two sites with a match, and their number, from
    the number of matches per (copy's site, original's site)."""
    return {pair: n for pair, n in counts.items() if n > 0 and pair[0] != pair[1]}


def link_odds(links: int) -> float:
    """The odds that an article of a site copies the site its `links` matches go to, relative
    to a strong link's (see WEAK_LINK_ODDS)."""
    return 1.0 if links >= STRONG_LINK else WEAK_LINK_ODDS


def max_chance(links: int, elsewhere: bool) -> float:
    """The bar of an article of a site linked to another by `links` matches, when it is
    matched with a third site (`elsewhere`) or not: the lower its odds, the higher the bar."""
    return MAX_CHANCE * link_odds(links) * (ELSEWHERE_ODDS if elsewhere else 1.0)


@dataclass(frozen=True)
class Timeline:
    """A site's articles in date order, read once for all the articles compared with them."""

    dates: list[datetime]
    keys: list[str]  # of the dated articles, in the same order
    undated: list[str]


def timeline(articles: Mapping[str, datetime | None]) -> Timeline:
    """The Timeline of articles (key -> date, None when unknown)."""
    dated = sorted((when, key) for key, when in articles.items() if when is not None)
    undated = sorted(key for key, when in articles.items() if when is None)
    return Timeline([when for when, _ in dated], [key for _, key in dated], undated)


def nearest_in_time(when: datetime | None, line: Timeline) -> list[str]:
    """The keys of the articles within WINDOW of `when` (an unknown date is near any), nearest
    first, at most MAX_CANDIDATES."""
    if when is None:
        return sorted([*line.keys, *line.undated])[:MAX_CANDIDATES]
    lo = bisect_left(line.dates, when - WINDOW)
    hi = bisect_right(line.dates, when + WINDOW)
    near = [
        (abs(t - when), key) for t, key in zip(line.dates[lo:hi], line.keys[lo:hi], strict=True)
    ]
    near += [(timedelta(0), key) for key in line.undated]
    return [key for _, key in sorted(near)[:MAX_CANDIDATES]]


def chance(evidence: float) -> float:
    """How often a pair of different stories reaches this rhythm evidence: log-linear between
    the measured points of CHANCE, and beyond them along the nearest two."""
    return min(1.0, math.exp(_interpolate(_LOG_CHANCE, evidence)))


def evidence_of(p: float) -> float:
    """The rhythm evidence whose chance is p: chance() inverted."""
    return _interpolate(_EVIDENCE_OF_LOG, math.log(p))


def anchor_chance(logit: float | None) -> float:
    """How often a pair of different stories has anchors that reach this logit (1 when it has
    none, or none that count: dedup.verify.anchor_logit); no rarer than the last point."""
    if logit is None or logit < ANCHOR_CHANCE[0][0]:
        return 1.0
    return math.exp(_interpolate(_LOG_ANCHOR_CHANCE, min(logit, ANCHOR_CHANCE[-1][0])))


def _interpolate(table: tuple[tuple[float, float], ...], x: float) -> float:
    """y at x, linear between the points of a table in increasing x, and beyond them along the
    nearest two."""
    (x0, y0), (x1, y1) = table[:2] if x < table[0][0] else table[-2:]
    for low, high in zip(table, table[1:], strict=False):
        if low[0] <= x <= high[0]:
            (x0, y0), (x1, y1) = low, high
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def pair_evidence(fp: Fingerprint, other: Fingerprint) -> tuple[float, float] | None:
    """(evidence, rhythm) of a copy and a candidate: the evidence is on the rhythm scale, the
    rhythm evidence whose chance is that of both the rhythm and the anchors; None when the
    rhythm can't be read (dedup.verify.rhythm_evidence)."""
    rhythm = rhythm_evidence(fp, other)
    if rhythm is None:
        return None
    anchors = anchor_chance(anchor_logit(fp, other))
    if anchors == 1.0:
        return rhythm, rhythm
    both = min(1.0, chance(rhythm) * anchors * DEPENDENCE)
    # Two chances multiplied are reached more often than their product: pairs weak in one and
    # strong in the other count too. For independent ones, p1 * p2 <= c has chance
    # c * (1 - ln c) (Fisher's method for two p-values), about 12 times c at 1e-5. That is
    # more than the rhythm's own chance when the anchors are weak: they count for nothing then,
    # never against the pair.
    return max(rhythm, evidence_of(min(1.0, both * (1.0 - math.log(both))))), rhythm


def copies_through_site(
    articles: Mapping[str, datetime | None],
    copied: Mapping[str, datetime | None],
    load: Loader,
    links: int,
    fresh: Container[str] | None = None,
    elsewhere: Container[str] = (),
) -> Iterator[tuple[str, str, Verdict]]:
    """(article, the article it copies or is copied by, verdict) for the articles of a copying
    site in no match with the site it copies (`articles`, with their dates), among that site's
    articles (`copied`), the sites linked by `links` matches; which one is the original is
    decided after (dedup.originality), as for any match. Those `elsewhere`, matched with a
    third site, meet a higher bar (ELSEWHERE_ODDS). With `fresh`, an article not in it meets
    only the candidates that are (incremental runs)."""
    line = timeline(copied)
    for key, when in articles.items():
        near = nearest_in_time(when, line)
        if fresh is not None and key not in fresh:
            near = [other for other in near if other in fresh]
        prints = load([key, *near]) if near else {}
        if key not in prints:
            continue
        candidates = {other: prints[other] for other in near if other in prints}
        # Pairs the index did not propose may still pass the verifier (a short post whose
        # share buttons broke its shingles; a translation whose anchors fell in other bands),
        # at its own bar: on the tune halves it accepted 71 of about 350,000 such pairs, all
        # of them copies. The odds of the article and its link weigh on the rhythm's evidence.
        found = verified(prints[key], candidates)
        if not found:
            hit = copy_by_evidence(prints[key], candidates, max_chance(links, key in elsewhere))
            found = [] if hit is None else [hit]
        for other, verdict in found:
            yield key, other, verdict


def copy_by_evidence(
    fp: Fingerprint, candidates: Mapping[str, Fingerprint], bar: float = MAX_CHANCE
) -> tuple[str, Verdict] | None:
    """The one candidate (articles of a site linked to fp's) that fp follows far better than
    any other, in sentence lengths and shared anchors (pair_evidence), as a translation Verdict;
    None when none stands out: when the candidates compared times the chance of the best one's
    evidence exceed the bar (max_chance)."""
    scored = sorted(
        (
            (*found, key)
            for key, other in candidates.items()
            if (found := pair_evidence(fp, other)) is not None
        ),
        reverse=True,
    )
    if not scored or len(scored) * chance(scored[0][0]) > bar:
        return None
    best, rhythm, key = scored[0]
    if len(scored) > 1 and best - scored[1][0] < MARGIN:
        return None
    # Scored as the second look scores (dedup.verify): above the translation floor by what the
    # evidence has beyond the second look's threshold.
    z = TRANSLATION_MIN_LOGIT + best - RHYTHM_MIN_EVIDENCE
    verdict = Verdict(
        score=round(1.0 / (1.0 + math.exp(-z)), 6),
        kind="translation",
        anchors=shared_labels(fp, candidates[key]),
        aligned=(),
        rhythm=round(rhythm, 3),
    )
    return key, verdict
