"""Language identification with a confidence (py3langid: its model ships inside the package)."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this, the identifier is guessing; a declared language (config or <html lang>) wins.
MIN_CONFIDENCE = 0.5
# The identifier's cost grows with the sample; a thousand characters of running text name the
# language as surely as three thousand, at a third of the cost per crawled page.
SAMPLE_CHARS = 1000


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str, hint: str | None = None) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence 0..1) of `text`; the hint when the text does not tell."""
    sample = text[:SAMPLE_CHARS].strip()
    if not sample:
        return hint, None
    lang, confidence = _identifier().classify(sample)
    confidence = float(confidence)
    if confidence < MIN_CONFIDENCE and hint:
        return hint, confidence
    return str(lang), round(confidence, 4)
