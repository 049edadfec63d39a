from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

from dedup.document import Document
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.index import CandidateIndex

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


def fp_of(name: str) -> Fingerprint:
    fp = fingerprint(Document(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"), name[-2:]))
    assert fp is not None
    return fp


def exercise(index: CandidateIndex) -> None:
    assert len(index) == 0 and "en" not in index
    index.insert("en", fp_of("ferry_en"))
    index.insert("en", fp_of("ferry_en"))  # idempotent
    assert "en" in index and len(index) == 1
    # Translations into another script find the original through the anchor space.
    for name in ("ferry_ru", "ferry_de", "ferry_ja"):
        assert "en" in index.query(fp_of(name))


def test_dict_storage() -> None:
    exercise(CandidateIndex())


def test_separate_prefixes_do_not_share_keys() -> None:
    a, b = CandidateIndex(prefix="a"), CandidateIndex(prefix="b")
    a.insert("k", fp_of("ferry_en"))
    assert "k" not in b


def test_redis_storage() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = {"type": "redis", "redis": {"host": "127.0.0.1", "port": 6379}}
    prefix = f"syndetect-test-{uuid.uuid4().hex}"
    exercise(CandidateIndex(config, prefix=prefix))
    # A second process with the same prefix sees what the first stored.
    again = CandidateIndex(config, prefix=prefix)
    assert "en" in again and len(again) == 1
