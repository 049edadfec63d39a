from __future__ import annotations

import socket
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import FERRY_TRANSLATIONS

from crawler.match_workers import signature_bytes
from dedup import bandstore
from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, Fingerprint, fingerprint
from dedup.index import EMPTY, PERMS, SPACES, CandidateIndex, split_signatures

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
REDIS = {"type": "redis", "redis": {"host": "127.0.0.1", "port": 6379}}


def fp_of(name: str) -> Fingerprint:
    fp = fingerprint(Document(FIXTURES.joinpath(f"{name}.txt").read_text("utf-8"), name[-2:]))
    assert fp is not None
    return fp


def require_redis() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def exercise(index: CandidateIndex) -> None:
    assert len(index) == 0 and "en" not in index
    index.insert("en", fp_of("ferry_en"))
    index.insert("en", fp_of("ferry_en"))  # idempotent
    assert "en" in index and len(index) == 1
    # Translations into 32 languages (fourteen scripts) find the original.
    for name in FERRY_TRANSLATIONS:
        assert "en" in index.query(fp_of(name))


def corpus(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """(n, PERMS[space]) signatures per space: random ones and near-duplicates of them (10-90 %
    of values changed, the same article in every space), a quarter without a number signature."""
    rng = np.random.default_rng(seed)
    sigs = {name: rng.integers(0, 2**32, (n, PERMS[name]), dtype=np.uint32) for name in SPACES}
    for i in range(n // 3, n):
        if rng.random() < 0.6:
            source, share = rng.integers(0, n // 3), rng.uniform(0.1, 0.9)
            for values in sigs.values():
                changed = rng.random(values.shape[1]) < share
                values[i] = values[source]
                values[i, changed] = rng.integers(0, 2**32, int(changed.sum()), dtype=np.uint32)
    sigs["number"][rng.random(n) < 0.25] = EMPTY
    return sigs


def fake_fp(sigs: dict[str, np.ndarray], row: int) -> SimpleNamespace:
    """What CandidateIndex reads of a fingerprint; an empty signature is a size-0 array."""
    values = {name: sigs[name][row] for name in SPACES}
    return SimpleNamespace(
        **{f"sig_{name}": v if (v != EMPTY).any() else v[:0] for name, v in values.items()}
    )


def insert_many(index: CandidateIndex, keys: list[str], sigs: dict[str, np.ndarray]) -> None:
    index.insert_many(keys, sigs["lexical"], sigs["anchor"], sigs["number"])


def test_compact_storage() -> None:
    exercise(CandidateIndex())


def test_datasketch_dict_storage() -> None:
    exercise(CandidateIndex({"type": "dict"}))


def test_separate_prefixes_do_not_share_keys() -> None:
    a, b = CandidateIndex(prefix="a"), CandidateIndex(prefix="b")
    a.insert("k", fp_of("ferry_en"))
    assert "k" not in b


@pytest.mark.slow
def test_compact_finds_what_datasketch_finds(monkeypatch) -> None:
    """Same candidates as datasketch's dict storage, whether loaded in bulk batches, one by
    one, or both (small runs: flushes and merges happen within the test)."""
    monkeypatch.setattr(bandstore, "_FLUSH", 500)
    sigs = corpus(900)
    keys = [f"k{i}" for i in range(900)]
    reference, one_by_one, bulk, mixed = (
        CandidateIndex({"type": "dict"}),
        *(CandidateIndex() for _ in range(3)),
    )
    for i, key in enumerate(keys):
        reference.insert(key, fake_fp(sigs, i))
        one_by_one.insert(key, fake_fp(sigs, i))
    for start in range(0, 900, 300):
        insert_many(
            bulk, keys[start : start + 300], {n: m[start : start + 300] for n, m in sigs.items()}
        )
    insert_many(mixed, keys[:600], {name: m[:600] for name, m in sigs.items()})
    for i in range(600, 900):
        mixed.insert(keys[i], fake_fp(sigs, i))
    probes = corpus(900, seed=1)  # unrelated signatures: chance candidates only
    found = 0
    for fp in [fake_fp(sigs, i) for i in range(900)] + [
        fake_fp(probes, i) for i in range(0, 900, 9)
    ]:
        expected = reference.query(fp)
        assert one_by_one.query(fp) == bulk.query(fp) == mixed.query(fp) == expected
        found += len(expected)
    assert found > 1200  # near-duplicates found one another, beyond each finding itself
    assert len(reference) == len(one_by_one) == len(bulk) == len(mixed) == 900


def test_a_post_with_two_names_is_found_through_them() -> None:
    # No number, two names: the translation signs nothing else (its common words are no
    # anchors), and the two names alone must make it a candidate of its original.
    en = (
        "I finally went to see Pankratov play in Vladivostok last night and honestly it was "
        "worth every minute of the long drive through the snow and the cold wind."
    )
    fr = (
        "Je suis enfin allé voir jouer Pankratov à Vladivostok hier soir et honnêtement cela "
        "valait chaque minute du long trajet sous la neige et dans le vent froid."
    )
    index = CandidateIndex()
    index.insert("en", fingerprint(Document(en, "en")))
    post = fingerprint(Document(fr, "fr"))
    assert post is not None and post.sig_number.size == 0
    assert "en" in index.query(post)


def test_insert_many_keeps_present_keys_and_skips_empty_spaces() -> None:
    rng = np.random.default_rng(3)
    sigs = {name: rng.integers(0, 2**32, (3, PERMS[name]), dtype=np.uint32) for name in SPACES}
    sigs["anchor"][1] = EMPTY
    for index in (CandidateIndex(), CandidateIndex({"type": "dict"})):
        index.insert("a", fake_fp(sigs, 0))
        insert_many(index, ["a", "b", "b"], {name: m[[2, 1, 0]] for name, m in sigs.items()})
        assert len(index) == 2 and "b" in index
        assert index.query(fake_fp(sigs, 2)) == set()  # "a" kept its own; "b" took row 1
        only_anchor = SimpleNamespace(
            sig_lexical=sigs["lexical"][2][:0],
            sig_anchor=sigs["anchor"][1],
            sig_number=sigs["lexical"][2][:0],
        )
        assert index.query(only_anchor) == set()  # row 1's anchor signature is empty
        assert index.query(fake_fp(sigs, 1)) == {"b"}


def test_stored_signatures_split_into_the_spaces_the_fingerprint_signed() -> None:
    fp = fp_of("ferry_de")
    row = np.frombuffer(signature_bytes(fp), dtype="<u4")[None, :]
    spaces = split_signatures(row)
    assert {name: m.shape for name, m in spaces.items()} == {n: (1, PERMS[n]) for n in SPACES}
    assert (spaces["anchor"][0] == fp.sig_anchor).all()
    assert (spaces["lexical"][0] == fp.sig_lexical).all()
    assert (spaces["number"][0] == fp.sig_number).all()


def test_insert_many_checks_shapes() -> None:
    sigs = corpus(2)
    with pytest.raises(ValueError):
        CandidateIndex().insert_many(["a"], sigs["lexical"], sigs["anchor"], sigs["number"])


def test_snapshot_restores_the_same_candidates(monkeypatch) -> None:
    """An index with sorted runs, single inserts and a removed key, snapshotted and restored:
    the same candidates (the removed key's entries left out), and inserts still work."""
    monkeypatch.setattr(bandstore, "_FLUSH", 500)
    sigs = corpus(600)
    keys = [f"{i}" for i in range(600)]
    index = CandidateIndex()
    insert_many(index, keys[:500], {name: m[:500] for name, m in sigs.items()})
    for i in range(500, 600):
        index.insert(keys[i], fake_fp(sigs, i))
    index.remove(["7", "not-there"])
    restored = CandidateIndex.from_snapshot(index.snapshot())
    assert len(restored) == len(index) == 599 and "7" not in restored
    entries = sum(len(store) for store in restored._stores.values())
    assert entries < sum(len(store) for store in index._stores.values())  # "7" left out
    for i in range(600):
        assert restored.query(fake_fp(sigs, i)) == index.query(fake_fp(sigs, i))
    restored.insert("7", fake_fp(sigs, 7))
    assert "7" in restored.query(fake_fp(sigs, 7))


def test_holds_checks_a_key_against_its_signatures() -> None:
    sigs = corpus(20)
    index = CandidateIndex.from_snapshot(_indexed(sigs, 20).snapshot())
    rows = [sigs[name][3] for name in SPACES]
    assert index.holds("3", *rows)
    assert not index.holds("4", *rows)  # another article's signatures
    assert not index.holds("missing", *rows)


def test_snapshot_of_other_settings_is_refused(monkeypatch) -> None:
    arrays = _indexed(corpus(10), 10).snapshot()
    monkeypatch.setitem(SPACES, "anchor", (32, 4))
    with pytest.raises(ValueError):
        CandidateIndex.from_snapshot(arrays)


def _indexed(sigs: dict[str, np.ndarray], n: int) -> CandidateIndex:
    index = CandidateIndex()
    insert_many(index, [str(i) for i in range(n)], sigs)
    return index


def test_redis_storage() -> None:
    require_redis()
    prefix = f"syndetect-test-{uuid.uuid4().hex}"
    exercise(CandidateIndex(REDIS, prefix=prefix))
    # A second process with the same prefix sees what the first stored.
    again = CandidateIndex(REDIS, prefix=prefix)
    assert "en" in again and len(again) == 1


def test_redis_index_of_another_fingerprint_version_is_left_behind(monkeypatch) -> None:
    # After an upgrade every article is fingerprinted again; an insert keeps a key already
    # present, so the old index would answer with the old signatures.
    require_redis()
    prefix = f"syndetect-test-{uuid.uuid4().hex}"
    CandidateIndex(REDIS, prefix=prefix).insert("en", fp_of("ferry_en"))
    monkeypatch.setattr(sys.modules["dedup.index"], "FINGERPRINT_VERSION", FINGERPRINT_VERSION + 1)
    upgraded = CandidateIndex(REDIS, prefix=prefix)
    assert len(upgraded) == 0 and "en" not in upgraded


@pytest.mark.slow
def test_redis_insert_many() -> None:
    require_redis()
    sigs = corpus(30)
    keys = [f"k{i}" for i in range(30)]
    index = CandidateIndex(REDIS, prefix=f"syndetect-test-{uuid.uuid4().hex}")
    insert_many(index, keys, sigs)
    reference = CandidateIndex({"type": "dict"})
    insert_many(reference, keys, sigs)
    assert len(index) == 30
    for i in range(30):
        assert index.query(fake_fp(sigs, i)) == reference.query(fake_fp(sigs, i))
