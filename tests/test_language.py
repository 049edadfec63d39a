"""Language identification: py3langid's model unpacked once into the user's cache identifies
exactly as the packed model does, and an unusable cache falls back to the packed one."""

from __future__ import annotations

from functools import cache

import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from crawler import language

SAMPLES = [
    "Le président a déclaré mardi que la France était prête à négocier.",
    "Der Bundestag hat am Dienstag über das neue Gesetz abgestimmt.",
    "Президент России заявил во вторник, что переговоры продолжатся.",
    "東京都は火曜日、新しい計画を発表した。",
    "The minister said on Tuesday that talks would resume next week.",
    "1234 5678",
    "ok",
]


@cache
def packed() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    language._identifier.cache_clear()
    yield tmp_path
    language._identifier.cache_clear()


def test_the_unpacked_model_identifies_as_the_packed_one_and_is_unpacked_once(cache_home):
    unpacked = language._identifier()
    assert [unpacked.classify(s) for s in SAMPLES] == [packed().classify(s) for s in SAMPLES]
    (directory,) = (p for p in (cache_home / "syndetect").iterdir() if not p.name.startswith("."))
    files = {path.name: path.stat().st_ino for path in directory.iterdir()}
    assert sorted(files) == sorted(f"{name}.npy" for name in language.MODEL_ARRAYS)
    language._identifier.cache_clear()
    assert language._identifier().classify(SAMPLES[0])[0] == "fr"
    assert {path.name: path.stat().st_ino for path in directory.iterdir()} == files
    assert language.identify(SAMPLES[1]) == ("de", round(packed().classify(SAMPLES[1])[1], 4))


def test_a_cache_that_cannot_be_written_falls_back_to_the_packed_model(cache_home):
    (cache_home / "syndetect").write_text("a file where the cache directory would be")
    assert language._identifier().classify(SAMPLES[2]) == packed().classify(SAMPLES[2])
    assert (cache_home / "syndetect").is_file()


def test_a_half_unpacked_copy_is_never_read(cache_home):
    packed_file = MODEL_DIR / MODEL_FILE
    arrays = language.unpacked_model(packed_file, cache_home)
    (directory,) = (p for p in cache_home.iterdir() if not p.name.startswith("."))
    assert not [p for p in cache_home.iterdir() if p.name.startswith(".building-")]
    # A process killed while unpacking leaves only its aside directory; the next one unpacks.
    (directory / "ptc.npy").unlink()
    directory.rename(cache_home / ".building-killed")
    again = language.unpacked_model(packed_file, cache_home)
    assert directory.is_dir() and again["ptc"].shape == arrays["ptc"].shape
