"""Language identification with a confidence (py3langid: its model ships inside the package)."""

from __future__ import annotations

import io
import lzma
from array import array
from functools import cache, partial
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from crawler.cache import cached_arrays, stamp

# Below this, the identifier is guessing; a declared language (config or <html lang>) wins.
MIN_CONFIDENCE = 0.5
# The identifier's cost grows with the sample; a thousand characters of running text name the
# language as surely as three thousand, at a third of the cost per crawled page.
SAMPLE_CHARS = 1000


# The arrays of py3langid's packed model (an npz inside LZMA), as its loader names them.
MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


@cache
def _identifier() -> LanguageIdentifier:
    # Unpacking the packed model costs 0.9 s of CPU in every process that identifies a language
    # (each crawl's extraction workers, ingest); unpacked once into the user's cache, it is
    # memory-mapped in a few milliseconds and its pages are shared between processes.
    try:
        arrays = unpacked_model(MODEL_DIR / MODEL_FILE)
    except (OSError, ValueError, KeyError):  # cache not writable, another model layout
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return LanguageIdentifier(
        np.asarray(arrays["ptc"]),
        np.asarray(arrays["pc"]),
        arrays["classes"].tolist(),
        _stdlib_array(arrays["nextmove"]),
        arrays["out_feat"].tolist(),
        norm_probs=True,
        tk_row=_stdlib_array(arrays["nextmove_row"]),
    )


def unpacked_model(packed: Path, root: Path | None = None) -> dict[str, np.ndarray]:
    """The packed model's arrays, memory-mapped from their unpacked copy in the cache (named by
    the packed file's size and time, so an upgrade unpacks again)."""
    return cached_arrays(f"py3langid-{stamp(packed)}", partial(_unpack, packed), root)


def _unpack(packed: Path) -> dict[str, np.ndarray]:
    with lzma.open(packed) as source, np.load(io.BytesIO(source.read())) as model:
        return {name: model[name] for name in MODEL_ARRAYS}


def _stdlib_array(values: np.ndarray) -> array:
    """py3langid walks its automaton with stdlib arrays (faster to index one by one)."""
    return array({2: "H", 4: "I", 8: "Q"}[values.dtype.itemsize], values.tobytes())


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


# ISO 639-1: every two-letter language code (183), what `lang` holds in the database.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()
)


def language_code(value: str) -> str:
    """The ISO 639-1 code of a declared language ('fr', 'FR', 'pt-BR' → 'pt'); ValueError with
    a hint otherwise ('french' → did you mean 'fr'?)."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    if code in ISO_639_1:
        return code
    guess = code[:2]
    hint = f"did you mean {guess!r}?" if guess in ISO_639_1 else "use a code such as 'en' or 'fr'"
    raise ValueError(f"{value!r} is not an ISO 639-1 language code ({hint})")
