"""Paragraphs and sentences: the units that alignment and evidence refer to."""

from __future__ import annotations

import re

_BLANK = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? (and their CJK forms, which need no following space); the lookbehind
# keeps "3. März", "J. Smith" and "z.B." in one sentence: one or two digits, a single letter or a
# letter-dot cluster before the full stop are ordinals, initials and abbreviations.
_CJK_END = re.compile(r"(?<=[。！？])(?=[^\s。！？」』”)])")
_LATIN_END = re.compile(
    r"(?<=[.!?…])(?<!\b\d\.)(?<!\b\d\d\.)(?<!\b\w\.)[\"'»”)\]]*\s+(?=[\"'«“(\[]?\w)"
)


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs, in order, stripped."""
    return [p.strip() for p in _BLANK.split(text) if p.strip()]


def sentences(text: str) -> list[str]:
    """Deterministic sentence split: paragraphs, then lines, then sentence punctuation."""
    out: list[str] = []
    for paragraph in paragraphs(text):
        for line in paragraph.split("\n"):
            for part in _LATIN_END.split(line):
                for sentence in _CJK_END.split(part):
                    sentence = sentence.strip()
                    if sentence:
                        out.append(sentence)
    return out
