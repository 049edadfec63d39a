"""Copies found through their sites. A farm that keeps republishing one source is known by the
copies its anchors gave away; its other articles, posts and chats with no name or number to
share, are then compared with the source's articles of the same weeks by the order of their
sentence lengths (dedup/rhythm.py), which a translation keeps, and by the few names or numbers
they share in order, too few for the verifier alone. Among a site's articles of a few weeks,
the copy's original stands out; by chance, nothing does — how rarely is measured
(SiteParams.chance, .anchor_chance), and the more articles a copy is compared with, and the
lower the odds that it copies this site at all, the higher the bar.

site_pass() is the whole pass over the linked sites, for the crawler (crawler/matching.py) and
the quality bench alike: they only read the sites' articles (SiteReader) and store its pairs.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Generic, Protocol, TypeVar

from dedup.fingerprint import Fingerprint
from dedup.matcher import Loader, verified
from dedup.verify import (
    VERIFIER,
    Verdict,
    VerifierParams,
    anchor_logit,
    rhythm_evidence,
    shared_labels,
)

Site = TypeVar("Site", bound=Hashable)  # a site's name or id


@dataclass(frozen=True)
class SiteParams:
    """The site pass's values; docs/quality.md, "Copies found through their sites"."""

    # How often a pair of different stories reaches each rhythm evidence: random pairs with
    # alike sentence counts from the tune halves of seeds 3-5; 36,000 below 3, 180,000 from 3.
    chance: tuple[tuple[float, float], ...] = (
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
    # How often such a pair's shared anchors, aligned in order, reach each logit of the
    # verifier's model (300,000 random pairs); nothing is read beyond the last point.
    anchor_chance: tuple[tuple[float, float], ...] = (
        (-8.0, 5.4e-2),
        (-6.0, 1.8e-2),
        (-4.0, 5.2e-3),
        (-2.0, 1.7e-3),
        (0.0, 5.5e-4),
        (2.0, 1.8e-4),
        (4.0, 5.0e-5),
    )
    # Pairs that share anchors reach each rhythm evidence 1.3 to 2 times as often (shared
    # genre: lists, chats).
    dependence: float = 2.0
    # The best candidate is the original when candidates compared times its chance stay under
    # this (about evidence 3.5 for one candidate, 5.7 for fifty): 70 right, none wrong on the
    # tune halves; 5e-4: 85 right, 2 wrong.
    max_chance: float = 2e-4
    # The lower the odds that an article copies the linked site, the less chance allowed:
    # odds measured 4 times lower for a site linked by one match, 16 times for an article
    # already matched with a third site.
    strong_link: int = 2
    weak_link_odds: float = 1 / 4
    elsewhere_odds: float = 1 / 16
    # The best must stand this far above the next (two near copies of one text decide nothing).
    margin: float = 1.5
    window: timedelta = timedelta(days=30)  # copies appear within days of their original
    max_candidates: int = 50  # a copy is compared with the source's articles nearest in time
    # Shared anchors weigh in besides the rhythm (off: rhythm alone).
    anchors: bool = True
    verifier: VerifierParams = VERIFIER


SITES = SiteParams()


def linked_sites(counts: Mapping[tuple[Site, Site], int]) -> dict[tuple[Site, Site], int]:
    """The (copying site, copied site) pairs of two sites with a match, and their number, from
    the number of matches per (copy's site, original's site)."""
    return {pair: n for pair, n in counts.items() if n > 0 and pair[0] != pair[1]}


def link_odds(links: int, params: SiteParams = SITES) -> float:
    """The odds that an article of a site copies the site its `links` matches go to, relative
    to a strong link's (see SiteParams.weak_link_odds)."""
    return 1.0 if links >= params.strong_link else params.weak_link_odds


def max_chance(links: int, elsewhere: bool, params: SiteParams = SITES) -> float:
    """The bar of an article of a site linked to another by `links` matches, when it is
    matched with a third site (`elsewhere`) or not: the lower its odds, the higher the bar."""
    third = params.elsewhere_odds if elsewhere else 1.0
    return params.max_chance * link_odds(links, params) * third


class SiteReader(Protocol[Site]):
    """What the site pass reads of the stored articles (fingerprinted ones only), by key."""

    def articles(self, site: Site) -> Mapping[str, datetime | None]:
        """A site's articles and their dates (None when unknown)."""
        ...

    def unmatched_with(self, site: Site, other: Site) -> Mapping[str, datetime | None]:
        """A site's articles in no match with the other site, and their dates."""
        ...

    def matched(self, site: Site) -> Container[str]:
        """A site's articles in a match with any site."""
        ...


@dataclass(frozen=True)
class SitePair(Generic[Site]):
    key: str  # an article of the copying site
    other: str  # the article of the copied site it copies or is copied by
    verdict: Verdict
    links: int  # matches between the two sites: the odds the pair was judged at


@dataclass(frozen=True)
class Question:
    """An article of a copying site, the articles of the copied site it is compared with, and
    the bar its best one must pass (max_chance)."""

    key: str
    near: tuple[str, ...]
    bar: float


# The answers (answer(), at the same SiteParams) to questions, in their order: in this process,
# or on worker processes that read the fingerprints themselves.
Answers = Callable[[list[Question]], Iterable[list[tuple[str, Verdict]]]]


def site_pass(
    counts: Mapping[tuple[Site, Site], int],
    read: SiteReader[Site],
    load: Loader,
    counts_before: Mapping[tuple[Site, Site], int] | None = None,
    fresh: Container[str] | None = None,
    params: SiteParams = SITES,
    answers: Answers | None = None,
) -> Iterator[SitePair[Site]]:
    """The pairs found through linked sites: the articles of each site whose copies link it to
    another (`counts`: matches per (copy's site, original's site)), in no match with that site,
    against its articles near them in time. Incremental runs give the counts before the run
    and the articles matched in it (`fresh`): a link whose bar the run left as it was judges
    only pairs with a fresh article; a new or strengthened one judges all its pairs again.
    All the questions are asked at once (`answers`; default: answer() through `load`).
    Which article of a pair is the original is decided after (dedup.originality)."""
    before = linked_sites(counts_before or {})
    dates: dict[Site, Mapping[str, datetime | None]] = {}  # per copied site, read once
    matched: dict[Site, Container[str]] = {}  # per copying site, read once
    asked: list[tuple[Question, int]] = []
    for (copying, copied), n in sorted(linked_sites(counts).items()):
        if copied not in dates:
            dates[copied] = read.articles(copied)
        if copying not in matched:
            matched[copying] = read.matched(copying)
        n_before = before.get((copying, copied))
        same_bar = n_before is not None and link_odds(n_before, params) == link_odds(n, params)
        asked += [
            (question, n)
            for question in questions(
                read.unmatched_with(copying, copied),
                dates[copied],
                n,
                fresh if same_bar else None,
                elsewhere=matched[copying],
                params=params,
            )
        ]
    if answers is None:
        answers = partial(answer_all, load=load, params=params)
    found = answers([question for question, _ in asked])
    for (question, n), pairs in zip(asked, found, strict=True):
        for other, verdict in pairs:
            yield SitePair(question.key, other, verdict, n)


def answer_all(
    asked: list[Question], load: Loader, params: SiteParams = SITES
) -> Iterator[list[tuple[str, Verdict]]]:
    """answer() to each question, in order, in this process."""
    return (answer(question, load, params) for question in asked)


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


def nearest_in_time(when: datetime | None, line: Timeline, params: SiteParams = SITES) -> list[str]:
    """The keys of the articles within the window of `when` (an unknown date is near any),
    nearest first, at most params.max_candidates."""
    if when is None:
        return sorted([*line.keys, *line.undated])[: params.max_candidates]
    lo = bisect_left(line.dates, when - params.window)
    hi = bisect_right(line.dates, when + params.window)
    near = [
        (abs(t - when), key) for t, key in zip(line.dates[lo:hi], line.keys[lo:hi], strict=True)
    ]
    near += [(timedelta(0), key) for key in line.undated]
    return [key for _, key in sorted(near)[: params.max_candidates]]


@cache
def _log_table(table: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    # The chance tables are read in log chance, which they are linear in.
    return tuple((x, math.log(p)) for x, p in table)


@cache
def _evidence_table(table: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    # The rhythm's table the other way round, in increasing log chance.
    return tuple((math.log(p), x) for x, p in reversed(table))


def chance(evidence: float, params: SiteParams = SITES) -> float:
    """How often a pair of different stories reaches this rhythm evidence: log-linear between
    the measured points, and beyond them along the nearest two."""
    return min(1.0, math.exp(_interpolate(_log_table(params.chance), evidence)))


def evidence_of(p: float, params: SiteParams = SITES) -> float:
    """The rhythm evidence whose chance is p: chance() inverted."""
    return _interpolate(_evidence_table(params.chance), math.log(p))


def anchor_chance(logit: float | None, params: SiteParams = SITES) -> float:
    """How often a pair of different stories has anchors that reach this logit (1 when it has
    none, or none that count: dedup.verify.anchor_logit); no rarer than the last point."""
    table = params.anchor_chance
    if logit is None or logit < table[0][0]:
        return 1.0
    return math.exp(_interpolate(_log_table(table), min(logit, table[-1][0])))


def _interpolate(table: tuple[tuple[float, float], ...], x: float) -> float:
    """y at x, linear between the points of a table in increasing x, and beyond them along the
    nearest two."""
    (x0, y0), (x1, y1) = table[:2] if x < table[0][0] else table[-2:]
    for low, high in zip(table, table[1:], strict=False):
        if low[0] <= x <= high[0]:
            (x0, y0), (x1, y1) = low, high
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def pair_evidence(
    fp: Fingerprint, other: Fingerprint, params: SiteParams = SITES
) -> tuple[float, float] | None:
    """(evidence, rhythm) of a copy and a candidate: the evidence is on the rhythm scale, the
    rhythm evidence whose chance is that of both the rhythm and the anchors; None when the
    rhythm can't be read (dedup.verify.rhythm_evidence)."""
    rhythm = rhythm_evidence(fp, other, params.verifier)
    if rhythm is None:
        return None
    logit = anchor_logit(fp, other, params.verifier) if params.anchors else None
    anchors = anchor_chance(logit, params)
    if anchors == 1.0:
        return rhythm, rhythm
    both = min(1.0, chance(rhythm, params) * anchors * params.dependence)
    # Two chances multiplied are reached more often than their product: pairs weak in one and
    # strong in the other count too. For independent ones, p1 * p2 <= c has chance
    # c * (1 - ln c) (Fisher's method for two p-values), about 12 times c at 1e-5. That is
    # more than the rhythm's own chance when the anchors are weak: they count for nothing then,
    # never against the pair.
    return max(rhythm, evidence_of(min(1.0, both * (1.0 - math.log(both))), params)), rhythm


def questions(
    articles: Mapping[str, datetime | None],
    copied: Mapping[str, datetime | None],
    links: int,
    fresh: Container[str] | None = None,
    elsewhere: Container[str] = (),
    params: SiteParams = SITES,
) -> list[Question]:
    """The questions of the articles of a copying site in no match with the site it copies
    (`articles`, with their dates), among that site's articles (`copied`), the sites linked by
    `links` matches. Those `elsewhere`, matched with a third site, meet a higher bar
    (elsewhere_odds). With `fresh`, an article not in it meets only the candidates that are
    (incremental runs)."""
    line = timeline(copied)
    asked = []
    for key, when in articles.items():
        near = nearest_in_time(when, line, params)
        if fresh is not None and key not in fresh:
            near = [other for other in near if other in fresh]
        if near:
            asked.append(Question(key, tuple(near), max_chance(links, key in elsewhere, params)))
    return asked


def answer(
    question: Question, load: Loader, params: SiteParams = SITES
) -> list[tuple[str, Verdict]]:
    """(the article it copies or is copied by, verdict) for the question's article; which one
    is the original is decided after (dedup.originality), as for any match."""
    prints = load([question.key, *question.near])
    fp = prints.get(question.key)
    if fp is None:
        return []
    candidates = {other: prints[other] for other in question.near if other in prints}
    # Pairs the index did not propose may still pass the verifier (a short post whose share
    # buttons broke its shingles; a translation whose anchors fell in other bands), at its own
    # bar: on the tune halves it accepted 71 of about 350,000 such pairs, all of them copies.
    # The odds of the article and its link weigh on the rhythm's evidence.
    found = verified(fp, candidates, params.verifier)
    if not found:
        hit = copy_by_evidence(fp, candidates, question.bar, params)
        found = [] if hit is None else [hit]
    return found


def copy_by_evidence(
    fp: Fingerprint,
    candidates: Mapping[str, Fingerprint],
    bar: float | None = None,
    params: SiteParams = SITES,
) -> tuple[str, Verdict] | None:
    """The one candidate (articles of a site linked to fp's) that fp follows far better than
    any other, in sentence lengths and shared anchors (pair_evidence), as a translation Verdict;
    None when none stands out: when the candidates compared times the chance of the best one's
    evidence exceed the bar (max_chance; params.max_chance when None)."""
    bar = params.max_chance if bar is None else bar
    scored = sorted(
        (
            (*found, key)
            for key, other in candidates.items()
            if (found := pair_evidence(fp, other, params)) is not None
        ),
        reverse=True,
    )
    if not scored or len(scored) * chance(scored[0][0], params) > bar:
        return None
    best, rhythm, key = scored[0]
    if len(scored) > 1 and best - scored[1][0] < params.margin:
        return None
    # Scored as the second look scores (dedup.verify): above the translation floor by what the
    # evidence has beyond the second look's threshold.
    verifier = params.verifier
    z = verifier.translation_min_logit + best - verifier.rhythm_min_evidence
    verdict = Verdict(
        score=round(1.0 / (1.0 + math.exp(-z)), 6),
        kind="translation",
        anchors=shared_labels(fp, candidates[key], verifier),
        aligned=(),
        rhythm=round(rhythm, 3),
    )
    return key, verdict
