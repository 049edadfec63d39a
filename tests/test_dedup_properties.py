"""Properties that must hold for any text, not only for the project's examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.document import Document
from dedup.fingerprint import Fingerprint, fingerprint
from dedup.segment import sentences
from dedup.verify import verify

words = st.sampled_from(
    ["Berlin", "ferry", "2024", "the", "Хабаровск", "港", "パンクラトフ", "17 000", "port", "said",
     "1,5", "Ísland", "and", "new", "line", "Igor", "٢٠٢١", "．", "!", "\n\n", "."]
)  # fmt: skip
texts = st.lists(words, min_size=0, max_size=80).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(texts, st.sampled_from([None, "en", "de", "ja", "ru"]))
def test_fingerprint_roundtrips(text: str, lang: str | None) -> None:
    fp = fingerprint(Document(text, lang))
    if fp is not None:
        again = Fingerprint.from_bytes(fp.to_bytes())
        assert again.to_bytes() == fp.to_bytes()
        assert again.n_sentences == fp.n_sentences == len(sentences(text))


@settings(max_examples=40, deadline=None)
@given(texts, texts)
def test_verify_is_symmetric_and_aligned_indices_are_valid(a: str, b: str) -> None:
    fa, fb = fingerprint(Document(a, "en")), fingerprint(Document(b, "en"))
    if fa is None or fb is None:
        return
    ab, ba = verify(fa, fb), verify(fb, fa)
    assert (ab is None) == (ba is None)
    if ab is not None and ba is not None:
        assert ab.score == ba.score and 0.0 < ab.score <= 1.0
        n_a, n_b = len(sentences(a)), len(sentences(b))
        assert all(0 <= i < n_a and 0 <= j < n_b for i, j in ab.aligned)
