"""The language registry (dedup/languages.py) and the fingerprints of the fixture articles,
pinned for the current FINGERPRINT_VERSION: a change of normalization, anchors or signatures
changes stored fingerprints, which `match` only recomputes when the version is raised. After
raising it, re-pin with `python tests/test_dedup_languages.py`."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from conftest import FERRY_TRANSLATIONS

from dedup.document import Document
from dedup.fingerprint import FINGERPRINT_VERSION, fingerprint
from dedup.languages import LANGUAGES, SENTENCE_STOPS, language, month_table_code
from dedup.months import month_of
from dedup.rarity import zipf
from dedup.segment import sentences

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
PINNED = FIXTURES / "fingerprints.json"


def fixture_digests() -> dict[str, str]:
    """sha256 of the stored form of each fixture article's fingerprint (language: the name's
    last two letters)."""
    digests = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        fp = fingerprint(Document(path.read_text("utf-8"), path.stem[-2:]))
        assert fp is not None, path
        digests[path.stem] = hashlib.sha256(fp.to_bytes()).hexdigest()
    return digests


def test_fixture_fingerprints_are_pinned_for_this_version() -> None:
    pinned = json.loads(PINNED.read_text("utf-8"))
    assert pinned["version"] == FINGERPRINT_VERSION, (
        "FINGERPRINT_VERSION was raised: re-pin with `python tests/test_dedup_languages.py`"
    )
    changed = sorted(
        name for name, digest in fixture_digests().items() if pinned["digests"].get(name) != digest
    )
    assert not changed, (
        f"fingerprints of {', '.join(changed)} changed without FINGERPRINT_VERSION raised "
        "(stored articles would keep their old fingerprints)"
    )


def test_every_entry_has_a_fixture_article() -> None:
    # The ferry story translated into each language of the table: its digest is pinned above,
    # and tests/conftest.py's FERRY_TRANSLATIONS verifies it against the other translations.
    missing = sorted(code for code in LANGUAGES if not (FIXTURES / f"ferry_{code}.txt").is_file())
    assert not missing, f"no tests/fixtures/dedup/ferry_<code>.txt for {', '.join(missing)}"
    unverified = sorted(code for code in LANGUAGES if f"ferry_{code}" not in FERRY_TRANSLATIONS)
    assert not unverified, f"FERRY_TRANSLATIONS (tests/conftest.py) lacks {', '.join(unverified)}"


def test_an_unknown_language_gets_a_plain_entry() -> None:
    plain = language("xx")
    assert plain.code == "xx" and not (plain.cjk or plain.clitics or plain.loanwords_by_sound)
    assert language(None).code == ""


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_entry_is_one_language_of_its_own(code: str) -> None:
    entry = LANGUAGES[code]
    assert entry.code == code
    # A shared month table or word list is another language's own.
    assert month_table_code(code) == code or month_table_code(code) not in (
        c for c, e in LANGUAGES.items() if e.months
    )


def test_aliases_reach_the_shared_tables() -> None:
    # Bosnian reads Croatian months, Norwegian Nynorsk Bokmål's, Malay Indonesian's; their
    # word lists are wordfreq's Serbo-Croatian and Bokmål.
    assert month_of("listopada", "bs") == 10 == month_of("listopada", "hr")
    assert month_of("januar", "nn") == 1 and month_of("maret", "ms") == 3
    assert zipf("kuća", "bs") == zipf("kuća", "hr") > 0
    assert zipf("hus", "nn") == zipf("hus", "nb") > 0


def test_each_script_stop_ends_a_sentence() -> None:
    for stop in SENTENCE_STOPS:
        first = "Ab" + stop if stop in "。！？" else "Ab cd ef" + stop
        assert len(sentences(first + " Gh ij kl.")) == 2, repr(stop)


if __name__ == "__main__":
    PINNED.write_text(
        json.dumps({"version": FINGERPRINT_VERSION, "digests": fixture_digests()}, indent=1) + "\n",
        "utf-8",
    )
    print(f"{PINNED}: {FINGERPRINT_VERSION}", file=sys.stderr)
