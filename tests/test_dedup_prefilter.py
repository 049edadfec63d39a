"""The prefilter (dedup/verify/prefilter.py) rules a verifier rule out only where that rule
fails: every pair of the project's articles (a story translated into 21 languages, its
same-topic distractors, other stories) and verbatim copies of them gets the same verdict with
and without it, and the pairs that share nothing are ruled out."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from dedup.document import Document
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.matcher import verified
from dedup.verify import VERIFIER, prefilter, verify
from dedup.verify.prefilter import candidates_possible

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def _fingerprints() -> dict[str, Fingerprint]:
    prints = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        text = path.read_text("utf-8")
        lang = path.stem.rsplit("_", 1)[-1]
        # A verbatim copy with a site's furniture around it, and one of its first half.
        for name, body in (
            (path.stem, text),
            (f"{path.stem}+furniture", f"Breaking news\n\n{text}\n\nShare this story"),
            (f"{path.stem}+half", "\n".join(text.splitlines()[: len(text.splitlines()) // 2])),
        ):
            fp = fingerprint(Document(body, lang))
            if fp is not None:
                prints[name] = fp
    return prints


PRINTS = _fingerprints()


@cache
def full_verdict(name: str, key: str):
    """verify() of the pair without the prefilter's hints, computed once for both tests."""
    return verify(PRINTS[name], PRINTS[key])


@pytest.mark.parametrize("name", sorted(PRINTS))
def test_same_verdicts_as_every_pair_verified(name: str) -> None:
    fp = PRINTS[name]
    others = {key: other for key, other in PRINTS.items() if key != name}
    verbatim, translation = candidates_possible(fp, list(others.values()), VERIFIER)
    for (key, other), as_verbatim, as_translation in zip(
        others.items(), verbatim, translation, strict=True
    ):
        full = full_verdict(name, key)
        assert verify(fp, other, VERIFIER, bool(as_verbatim), bool(as_translation)) == full, key
    expected = sorted(
        ((key, v) for key in others if (v := full_verdict(name, key)) is not None),
        key=lambda kv: (-kv[1].score, kv[0]),
    )
    assert verified(fp, others) == expected


def test_pairs_that_share_nothing_are_ruled_out() -> None:
    names = list(PRINTS)
    ruled_out = found = 0
    for name in names:
        others = [key for key in names if key != name]
        verbatim, translation = candidates_possible(
            PRINTS[name], [PRINTS[key] for key in others], VERIFIER
        )
        ruled_out += int((~verbatim & ~translation).sum())
        found += sum(full_verdict(name, key) is not None for key in others)
    # Most pairs without a verdict (different stories; the same story's distractors) never
    # reach verify(): 79% of the 4,430 when this was written.
    assert ruled_out >= 0.7 * (len(names) * (len(names) - 1) - found)


def test_the_compiled_pass_answers_as_the_interpreted_one(monkeypatch) -> None:
    """The anchors' pass as a big run's workers run it, compiled (on the candidates' columns
    of one array: not contiguous), and as a small run does, with numpy."""
    names = sorted(PRINTS)

    def answers() -> list[list[bool]]:
        found = []
        for name in names:
            others = [PRINTS[key] for key in names if key != name]
            verbatim, translation = candidates_possible(PRINTS[name], others, VERIFIER)
            found.append([*verbatim.tolist(), *translation.tolist()])
        return found

    sums = prefilter._anchor_sums
    monkeypatch.setattr(prefilter, "_anchor_sums", sums.interpreted)
    interpreted = answers()
    monkeypatch.setattr(prefilter, "_anchor_sums", sums.machine_code())
    assert answers() == interpreted
    assert any(any(row) for row in interpreted) and not all(all(row) for row in interpreted)
