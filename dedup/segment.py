"""Paragraphs and sentences: the units that alignment and evidence refer to."""

from __future__ import annotations

import re

from dedup.languages import SENTENCE_STOPS

_BLANK = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? (and their CJK forms, which need no following space; the danda of
# Indic scripts, Arabic and Urdu stops, the Armenian, Ethiopic and Myanmar full stops, which
# do), after any closing quotes or brackets, before a space; the lookbehind keeps "3. März",
# "J. Smith" and "z.B." in one sentence: one or two digits, a single letter or a letter-dot
# cluster before the full stop are ordinals, initials and abbreviations. Quotes close and open
# in every language's fashion (”, “ in German and Icelandic, », « in French and German).
_CJK_END = re.compile(r"(?<=[。！？])(?=[^\s。！？」』”)])")
_CLOSERS = "\"'»«”“’‘›‹)\\]」』"
_LATIN_END = re.compile(
    rf"(?<=[{SENTENCE_STOPS}])(?<!\b\d\.)(?<!\b\d\d\.)(?<!\b\w\.)([{_CLOSERS}]*)\s+(?=\S)"
)
# A bullet starts an item of a list run into one line (a page's <br>-less list, a post).
_BULLET = re.compile(r"\s+(?=[•●▪▸►➤➢✓✔✅◦‣⁃👉])")


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs, in order, stripped."""
    return [p.strip() for p in _BLANK.split(text) if p.strip()]


def sentences(text: str) -> list[str]:
    """Deterministic sentence split: paragraphs, lines, list items, sentence punctuation."""
    out: list[str] = []
    for paragraph in paragraphs(text):
        for line in paragraph.split("\n"):
            for item in _BULLET.split(line):
                # Closing quotes stay with their sentence: the split is a newline put after them.
                for part in _LATIN_END.sub(r"\1\n", item).split("\n"):
                    out.extend(s for s in map(str.strip, _CJK_END.split(part)) if s)
    return out
