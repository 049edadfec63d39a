"""The input of the matching library: an article's main text and what is known about it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    text: str  # main text; paragraphs separated by blank lines
    lang: str | None = None  # ISO 639-1 if known
    title: str | None = None
