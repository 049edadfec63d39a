"""Copies found through their sites. A farm that keeps republishing one source is known by the
copies its anchors gave away; its other articles, posts and chats with no name or number to
share, are then compared with the source's articles of the same weeks by the order of their
sentence lengths alone (dedup/rhythm.py), which a translation keeps. Among a site's articles
of a few weeks, the copy's original stands out; by chance, nothing does — how rarely is
measured (CHANCE), and the more articles a copy is compared with, the higher the bar.
"""

from __future__ import annotations

import math
from collections.abc import Container, Hashable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from dedup.fingerprint import Fingerprint
from dedup.matcher import Loader
from dedup.verify import (
    RHYTHM_MIN_EVIDENCE,
    TRANSLATION_MIN_LOGIT,
    Verdict,
    rhythm_evidence,
    shared_labels,
)

Site = TypeVar("Site", bound=Hashable)  # a site's name or id

MIN_LINKS = 2  # matches between two sites that make one a known copier of the other
# How often a pair of different stories reaches each rhythm evidence: 180,000 random pairs with
# alike sentence counts from the tune halves of seeds 3-5 (bench/quality_world.py).
CHANCE = ((3.0, 6.6e-4), (3.5, 2.1e-4), (4.0, 6.1e-5), (4.5, 2.8e-5), (5.0, 1.7e-5), (5.5, 5.6e-6))
# The best candidate is the original when the candidates compared, times the chance of its
# evidence, stay under this: about 3.5 for one candidate (the second look's own threshold),
# 4.3 for five, 5.7 for fifty. Tune halves, every unmatched article of a linked site against
# the windowed articles of the site it copies (2 to 10 mostly): 70 right (34 long, 8 of them
# CJK), none wrong; at 5e-4, 85 right and 2 wrong; a fixed threshold of 5, 41 right.
MAX_CHANCE = 2e-4
# And it must stand this far above the next one (two near copies of one text decide nothing).
MARGIN = 1.5
WINDOW = timedelta(days=30)  # copies appear within days of their original
MAX_CANDIDATES = 50  # a copy is compared with the source's articles nearest in time


def linked_sites(counts: Mapping[tuple[Site, Site], int]) -> set[tuple[Site, Site]]:
    """The (copying site, copied site) pairs with at least MIN_LINKS matches, from the number
    of matches per (copy's site, original's site)."""
    return {pair for pair, n in counts.items() if n >= MIN_LINKS and pair[0] != pair[1]}


def nearest_in_time(when: datetime | None, articles: Mapping[str, datetime | None]) -> list[str]:
    """The keys of the articles within WINDOW of `when` (an unknown date is near any), nearest
    first, at most MAX_CANDIDATES."""

    def distance(t: datetime | None) -> timedelta:
        return timedelta(0) if t is None or when is None else abs(t - when)

    near = sorted((distance(t), key) for key, t in articles.items())
    return [key for d, key in near if d <= WINDOW][:MAX_CANDIDATES]


def chance(evidence: float) -> float:
    """How often a pair of different stories reaches this rhythm evidence: log-linear between
    the measured points of CHANCE, and beyond them along the nearest two."""
    points = CHANCE[:2] if evidence < CHANCE[0][0] else CHANCE[-2:]
    for low, high in zip(CHANCE, CHANCE[1:], strict=False):
        if low[0] <= evidence <= high[0]:
            points = (low, high)
    (x0, p0), (x1, p1) = points
    slope = (math.log(p1) - math.log(p0)) / (x1 - x0)
    return min(1.0, math.exp(math.log(p0) + slope * (evidence - x0)))


def copies_through_site(
    unmatched: Mapping[str, datetime | None],
    copied: Mapping[str, datetime | None],
    load: Loader,
    fresh: Container[str] | None = None,
) -> Iterator[tuple[str, str, Verdict]]:
    """(article, its original, verdict) for the articles of a copying site that nothing matched
    (`unmatched`, with their dates) among the articles of the site it copies (`copied`).
    With `fresh`, an article not in it meets only the candidates that are (incremental runs)."""
    for key, when in unmatched.items():
        near = nearest_in_time(when, copied)
        if fresh is not None and key not in fresh:
            near = [other for other in near if other in fresh]
        prints = load([key, *near]) if near else {}
        if key not in prints:
            continue
        hit = copy_by_rhythm(
            prints[key], {other: prints[other] for other in near if other in prints}
        )
        if hit is not None:
            yield key, *hit


def copy_by_rhythm(
    fp: Fingerprint, candidates: Mapping[str, Fingerprint]
) -> tuple[str, Verdict] | None:
    """The one candidate (articles of a site linked to fp's) whose sentence lengths fp follows
    far better than any other's, as a translation Verdict; None when none stands out."""
    scored = sorted(
        (
            (evidence, key)
            for key, other in candidates.items()
            if (evidence := rhythm_evidence(fp, other)) is not None
        ),
        reverse=True,
    )
    if not scored or len(scored) * chance(scored[0][0]) > MAX_CHANCE:
        return None
    best, key = scored[0]
    if len(scored) > 1 and best - scored[1][0] < MARGIN:
        return None
    rhythm = round(best, 3)
    # Scored as the second look scores (dedup.verify): above the translation floor by what the
    # evidence has beyond the second look's threshold.
    z = TRANSLATION_MIN_LOGIT + rhythm - RHYTHM_MIN_EVIDENCE
    verdict = Verdict(
        score=round(1.0 / (1.0 + math.exp(-z)), 6),
        kind="translation",
        anchors=shared_labels(fp, candidates[key]),
        aligned=(),
        rhythm=rhythm,
    )
    return key, verdict
