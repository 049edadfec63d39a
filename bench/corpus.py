"""Reading the development corpus (../shared/corpus) for benchmarks. It is evaluation data: read
in place, never copied into the repository."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wmt-dev.jsonl.gz"
DENSE_SCRIPTS = {"ja", "zh"}


def documents(path: Path = CORPUS) -> Iterator[dict]:
    if not path.exists():
        raise SystemExit(f"{path}: the corpus is not there (expected beside the repository)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def is_long(text: str, lang: str) -> bool:
    """The issue's 'long, article-like': ≥ 120 words, or ≥ 350 characters for ja/zh."""
    if lang in DENSE_SCRIPTS:
        return len(text) >= 350
    return len(text.split()) >= 120
