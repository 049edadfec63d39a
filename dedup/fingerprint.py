"""Fingerprints: what is kept of an article to find and verify its copies.

Two representations, each with a MinHash signature for candidate search:
- lexical: word 5-shingles and per-sentence hashes, for same-language (verbatim) copies;
- anchors: per-sentence sets of tokens that survive translation (numbers, names and rare words,
  transliterated to ASCII and cut to a prefix against inflection), weighted by rarity.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dedup.anchors import (
    ANCHORS,
    Anchor,
    AnchorParams,
    SentenceAnchors,
    detect_language,
    extract_anchors,
)
from dedup.document import Document
from dedup.kinds import clitic_key, is_match_only, is_number, is_spelled_name
from dedup.languages import clitics
from dedup.minhash import ANCHOR_PERM, NUM_PERM, SIGNATURE_SIZES, hash64, shingle_hashes, signature
from dedup.months import is_month_key
from dedup.segment import sentences

# Raised whenever a fingerprint or a verifier decision changes: stored articles are then
# fingerprinted and matched again on the next `match` (what each version changed:
# docs/history.md). tests/test_dedup_languages.py pins the fixtures' fingerprints for it.
FINGERPRINT_VERSION = 15
# Format 1 (a JSON header, the signatures inside) is still read; format 2 is written.
_MAGIC, _MAGIC_2 = b"SDFP", b"SDF2"
SHINGLE = 5
MAX_SENTENCES = 600  # bounds verification cost on pathological pages
MAX_SHINGLES = 8000
MIN_UNITS = 12  # fewer lexical units than this is too little text to tell copies apart


@dataclass(frozen=True)
class FingerprintParams:
    """What goes into a fingerprint beyond its format; docs/quality.md, "Candidate search" and
    "Anchors". Defaults only are stored: a change of them needs FINGERPRINT_VERSION raised."""

    # A signature of a set this small would collide with every other small set: such an
    # article is not indexed in that space. Two anchors: a post whose translation signs only
    # two names is found (from 3: +18-25% candidate pairs, +2 to +4 long pairs per half).
    min_anchors: int = 2
    min_numbers: int = 2  # numbers of two digits and more
    # The capitalized share of common words inside sentences is 0.02-0.06 in languages that
    # capitalize names only, 0.24 in German: above name_share, capitals are discounted, over
    # min_case_words common words at least.
    name_share: float = 0.12
    min_case_words: int = 30
    # Katakana runs are found in translations about half as often as Latin-script names.
    katakana_odds: float = 0.5
    # Name odds at all (off: every capitalized word and katakana run counts in full).
    name_odds: bool = True
    anchors: AnchorParams = ANCHORS


FINGERPRINT = FingerprintParams()


@lru_cache(maxsize=1 << 18)
def _unit_hash(unit: str) -> int:
    return hash64(unit)


@dataclass(eq=False)
class Fingerprint:
    lang: str | None
    n_units: int
    # 1 when the title is kept as an extra first sentence (a headline is dense in names and
    # numbers, and a copy keeps it); sentence indices of the text are then shifted by one.
    title_sentences: int
    # Likelihood that a capitalized word of this text is a name (1 unless the language also
    # capitalizes common nouns): how much of its name weight a translation can be expected to keep.
    name_odds: float
    sentence_hashes: np.ndarray  # uint64 per sentence, 0 for sentences too short to count
    sentence_units: np.ndarray  # uint32 lexical units per sentence
    keys: tuple[str, ...]  # anchor vocabulary
    labels: tuple[str, ...]  # human-readable form of each anchor
    weights: np.ndarray  # float32 rarity weight per anchor
    occ_offsets: np.ndarray  # uint32, n_sentences + 1; sentence i: occ[off[i] : off[i + 1]]
    occ: np.ndarray  # uint32 anchor ids, unique within a sentence, in text order
    shingles: np.ndarray  # sorted unique uint32 hashes of word 5-shingles
    sig_lexical: np.ndarray  # uint32 MinHash of the shingles
    # uint32 MinHash of the anchor vocabulary, ANCHOR_PERM values (empty: too few anchors)
    sig_anchor: np.ndarray
    sig_number: np.ndarray  # uint32 MinHash of the numbers (empty: too few, _number_signature)
    # Per key, whether it is in the set the anchor (number) signature is a MinHash of; None
    # when there is no such signature. What the signatures are recomputed from when read.
    anchor_signed: np.ndarray | None = None
    number_signed: np.ndarray | None = None
    # Values derived from the fields above by their users (the verifier), kept with the object
    # because an article is compared with dozens of candidates; never serialized.
    derived: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    @property
    def n_sentences(self) -> int:
        return int(self.sentence_hashes.size)

    def signatures(self) -> dict[str, np.ndarray]:
        """The signatures by name, in minhash.SIGNATURE_SIZES order (empty: too few features)."""
        return {"lexical": self.sig_lexical, "anchor": self.sig_anchor, "number": self.sig_number}

    def sentence_anchor_ids(self, i: int) -> np.ndarray:
        return self.occ[self.occ_offsets[i] : self.occ_offsets[i + 1]]

    def __getattr__(self, name: str) -> np.ndarray:
        # Reached only for an attribute never set: the signatures of a fingerprint read from
        # bytes. They are not stored with it (the fingerprints table has them in their own
        # column, and verification never reads them), so they are computed on first use.
        if name not in _SIGNATURE_FIELDS or "shingles" not in self.__dict__:
            raise AttributeError(name)
        if name == "sig_lexical":
            value = signature(self.shingles)
        else:
            anchor = name == "sig_anchor"
            members = self.anchor_signed if anchor else self.number_signed
            value = (
                np.zeros(0, dtype=np.uint32)
                if members is None
                else signature(self._key_hashes()[members], ANCHOR_PERM if anchor else NUM_PERM)
            )
        setattr(self, name, value)
        return value

    def _key_hashes(self) -> np.ndarray:
        hashes = self.derived.get("key_hashes")
        if hashes is None:
            hashes = np.array([hash64(k) & 0xFFFFFFFF for k in self.keys], dtype=np.uint32)
            self.derived["key_hashes"] = hashes
        return hashes  # type: ignore[return-value]

    def to_bytes(self) -> bytes:
        """The stored form (format 2, see _pack); deterministic."""
        # Format 1 kept the signatures but not which keys they were made of.
        unknown = (self.anchor_signed is None and self.sig_anchor.size) or (
            self.number_signed is None and self.sig_number.size
        )
        if unknown:
            raise ValueError("a fingerprint read from format 1 cannot be stored: fingerprint again")
        # zlib output is a pure function of its input and level: the bytes are deterministic.
        return _MAGIC_2 + struct.pack("<H", FINGERPRINT_VERSION) + zlib.compress(_pack(self), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """A stored fingerprint, of either format; ValueError for anything else."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValueError("fingerprint data must be bytes")
        data = bytes(data)
        if len(data) < 6 or data[:4] not in (_MAGIC, _MAGIC_2):
            raise ValueError("not a syndetect fingerprint")
        (version,) = struct.unpack("<H", data[4:6])
        if version != FINGERPRINT_VERSION:
            raise ValueError(f"fingerprint version {version}, expected {FINGERPRINT_VERSION}")
        try:
            body = zlib.decompress(data[6:])
            if data[:4] == _MAGIC_2:
                return _unpack(cls, bytearray(body))
            fp = _unpack_1(cls, body)
        except (zlib.error, struct.error, KeyError, TypeError, IndexError, RecursionError) as exc:
            raise ValueError(f"corrupt fingerprint: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ValueError(f"corrupt fingerprint header: {exc}") from exc
        _check_consistent(fp)
        return fp


_SIGNATURE_FIELDS = frozenset({"sig_lexical", "sig_anchor", "sig_number"})
# Format 2's fixed header: sentences, keys, anchor occurrences, shingles, lexical units, the
# byte lengths of the keys and labels text and of the language, title sentences, which of the
# anchor and number signatures there are (bits 0, 1), the widths of the three narrow arrays,
# and the name odds. Then sentence hashes <u8, weights <f4, the shingles as deltas split into
# their four byte planes (the high planes are mostly zero: zlib takes them to almost nothing),
# anchors per sentence, anchor ids and lexical units per sentence each as uint of its width,
# the two signed-key masks as bits, and the language and the keys then labels, NUL-separated.
_HEAD = struct.Struct("<7I4Bd")
_WIDTHS = {1: "<u1", 2: "<u2", 4: "<u4"}


def _narrow(values: np.ndarray) -> tuple[int, bytes]:
    """The smallest of 1, 2, 4 bytes that holds every value, and the values at that width."""
    top = int(values.max()) if values.size else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4
    return width, values.astype(_WIDTHS[width]).tobytes()


def _planes(values: np.ndarray) -> bytes:
    """Sorted uint32 as their differences, byte plane after byte plane."""
    deltas = np.diff(values.astype("<u4"), prepend=np.uint32(0)).astype("<u4")
    return deltas.view(np.uint8).reshape(-1, 4).T.tobytes()


def _pack(fp: Fingerprint) -> bytes:
    strings = fp.keys + fp.labels
    if any("\x00" in s for s in strings):
        raise ValueError("an anchor holds NUL")
    text = "\x00".join(strings).encode("utf-8")
    lang = (fp.lang or "").encode("utf-8")
    per_sentence = np.diff(fp.occ_offsets.astype(np.int64))
    narrow = [_narrow(a) for a in (per_sentence, fp.occ, fp.sentence_units)]
    masks = [
        m if m is not None else np.zeros(len(fp.keys), bool)
        for m in (fp.anchor_signed, fp.number_signed)
    ]
    flags = (fp.anchor_signed is not None) | (fp.number_signed is not None) << 1
    head = _HEAD.pack(
        fp.n_sentences, len(fp.keys), fp.occ.size, fp.shingles.size, fp.n_units, len(text),
        len(lang) if fp.lang is not None else 0xFFFFFFFF, fp.title_sentences, flags,
        narrow[0][0] | narrow[1][0] << 3, narrow[2][0], fp.name_odds,
    )  # fmt: skip
    return b"".join(
        [
            head,
            fp.sentence_hashes.astype("<u8").tobytes(),
            fp.weights.astype("<f4").tobytes(),
            _planes(fp.shingles),
            *(raw for _, raw in narrow),
            *(np.packbits(m).tobytes() for m in masks),
            lang,
            text,
        ]
    )


def _unpack(cls: type[Fingerprint], body: bytearray) -> Fingerprint:
    """Format 2 (_pack): the arrays are views of `body`, or made from it in one step."""
    (n, n_keys, n_occ, n_shingles, n_units, n_text, n_lang, title, flags, widths, unit_width,
     odds) = _HEAD.unpack_from(body)  # fmt: skip
    position = _HEAD.size

    def take(dtype: str, count: int) -> np.ndarray:
        nonlocal position
        array = np.frombuffer(body, dtype=dtype, count=count, offset=position)
        position += array.nbytes
        return array

    def width(code: int) -> str:
        if code not in _WIDTHS:
            raise ValueError("corrupt fingerprint: array width")
        return _WIDTHS[code]

    hashes = take("<u8", n)
    weights = take("<f4", n_keys)
    planes = take("<u1", 4 * n_shingles).reshape(4, n_shingles)
    shingles = np.cumsum(planes.T.copy().view("<u4").ravel(), dtype=np.uint32)
    per_sentence = take(width(widths & 7), n)
    occ = take(width(widths >> 3), n_occ).astype(np.uint32)
    # The only invariants the layout leaves open (the sizes hold by construction).
    if int(per_sentence.sum(dtype=np.int64)) != n_occ or (n_occ and int(occ.max()) >= n_keys):
        raise ValueError("inconsistent fingerprint")
    offsets = np.zeros(n + 1, dtype=np.uint32)
    np.cumsum(per_sentence, out=offsets[1:])
    units = take(width(unit_width), n).astype(np.uint32)
    masks = [np.unpackbits(take("<u1", (n_keys + 7) // 8), count=n_keys).astype(bool)
             for _ in range(2)]  # fmt: skip
    lang = None if n_lang == 0xFFFFFFFF else bytes(take("<u1", n_lang)).decode("utf-8")
    text = bytes(take("<u1", n_text)).decode("utf-8")
    if position != len(body):
        raise ValueError("trailing bytes in fingerprint")
    strings = text.split("\x00") if n_keys else []
    if len(strings) != 2 * n_keys or title not in (0, 1) or not 0.0 < odds <= 1.0:
        raise ValueError("malformed fingerprint header")
    fp = cls.__new__(cls)
    # The signatures are left unset: __getattr__ computes them when they are first read.
    fp.__dict__.update(
        lang=lang,
        n_units=n_units,
        title_sentences=title,
        name_odds=odds,
        sentence_hashes=hashes,
        sentence_units=units,
        keys=tuple(strings[:n_keys]),
        labels=tuple(strings[n_keys:]),
        weights=weights,
        occ_offsets=offsets,
        occ=occ,
        shingles=shingles,
        anchor_signed=masks[0] if flags & 1 else None,
        number_signed=masks[1] if flags & 2 else None,
        derived={},
    )
    return fp


def _unpack_1(cls: type[Fingerprint], body: bytes) -> Fingerprint:
    """Format 1 (before 2026-12-07): a JSON header and nine length-prefixed arrays, the
    signatures among them."""
    pos = 0

    def chunk() -> bytes:
        nonlocal pos
        (size,) = struct.unpack_from("<I", body, pos)
        pos += 4
        if pos + size > len(body):
            raise ValueError("truncated fingerprint")
        out = body[pos : pos + size]
        pos += size
        return out

    meta = _header(chunk())
    dtypes = ["<u8", "<u4", "<f4", "<u4", "<u4", "<u4", "<u4", "<u4", "<u4"]
    arrays = [np.frombuffer(chunk(), dtype=d).copy() for d in dtypes]
    if pos != len(body):
        raise ValueError("trailing bytes in fingerprint")
    return cls(
        lang=meta["lang"],
        n_units=meta["n_units"],
        title_sentences=meta["title_sentences"],
        name_odds=float(meta["name_odds"]),
        sentence_hashes=arrays[0].astype(np.uint64),
        sentence_units=arrays[1].astype(np.uint32),
        keys=tuple(meta["keys"]),
        labels=tuple(meta["labels"]),
        weights=arrays[2].astype(np.float32),
        occ_offsets=arrays[3].astype(np.uint32),
        occ=arrays[4].astype(np.uint32),
        shingles=arrays[5].astype(np.uint32),
        sig_lexical=arrays[6].astype(np.uint32),
        sig_anchor=arrays[7].astype(np.uint32),
        sig_number=arrays[8].astype(np.uint32),
    )


def _header(raw: bytes) -> dict:
    """The JSON header, checked field by field: stored bytes may be anything."""

    def no_constants(name: str) -> float:
        raise ValueError(f"{name} in fingerprint header")

    meta = json.loads(raw.decode("utf-8"), parse_constant=no_constants)  # ValueError subclasses
    if not isinstance(meta, dict):
        raise ValueError("fingerprint header is not an object")
    lang, n_units, title = meta.get("lang"), meta.get("n_units"), meta.get("title_sentences")
    keys, labels = meta.get("keys"), meta.get("labels")
    odds = meta.get("name_odds")
    ok = (
        (lang is None or isinstance(lang, str))
        and type(n_units) is int
        and n_units >= 0
        and title in (0, 1)
        and type(title) is int
        and type(odds) in (int, float)
        and 0.0 < odds <= 1.0
        and isinstance(keys, list)
        and isinstance(labels, list)
        and all(isinstance(k, str) for k in keys)
        and all(isinstance(k, str) for k in labels)
    )
    if not ok:
        raise ValueError("malformed fingerprint header")
    return meta


def _check_consistent(fp: Fingerprint) -> None:
    """A format 1 fingerprint's arrays fit each other (format 2: checked in _unpack)."""
    n = fp.sentence_hashes.size
    ok = (
        fp.sentence_units.size == n
        and fp.occ_offsets.size == n + 1
        and len(fp.keys) == len(fp.labels) == fp.weights.size
        and (fp.occ_offsets[-1] == fp.occ.size if n >= 0 and fp.occ_offsets.size else False)
        and (fp.occ.size == 0 or int(fp.occ.max()) < len(fp.keys))
        and bool(np.all(np.diff(fp.occ_offsets.astype(np.int64)) >= 0))
        and fp.sig_lexical.size == NUM_PERM
        and all(sig.size in (0, SIGNATURE_SIZES[name]) for name, sig in fp.signatures().items())
    )
    if not ok:
        raise ValueError("inconsistent fingerprint")


def fingerprint(doc: Document, params: FingerprintParams = FINGERPRINT) -> Fingerprint | None:
    """Fingerprint an article; None when there is too little text to tell copies apart."""
    title = " ".join((doc.title or "").split())
    # A title the text already starts with is not repeated.
    title_sentences = int(bool(title) and not doc.text.lstrip().startswith(title))
    sents = ([title] if title_sentences else []) + sentences(doc.text)[:MAX_SENTENCES]
    # "en-US", "EN", "pt_BR": word lists are per language, so keep the ISO 639-1 part.
    lang = (doc.lang or detect_language(doc.text) or "").lower().replace("_", "-").split("-")[0]
    lang = lang or None
    cased = not _writes_no_capitals(sents)
    per_sentence: list[SentenceAnchors] = [
        extract_anchors(s, lang, cased, params.anchors) for s in sents
    ]
    n_units = sum(len(s.units) for s in per_sentence)
    if n_units < MIN_UNITS:
        return None

    sentence_hashes = np.zeros(len(sents), dtype=np.uint64)
    sentence_units = np.zeros(len(sents), dtype=np.uint32)
    unit_hashes: list[int] = []
    for i, s in enumerate(per_sentence):
        sentence_units[i] = len(s.units)
        unit_hashes.extend(map(_unit_hash, s.units))
        # Sentences of one or two words ("Share", "Read more") say nothing about copying.
        if len(s.units) >= 3:
            sentence_hashes[i] = hash64(" ".join(s.units)) or 1
    shingles = shingle_hashes(np.array(unit_hashes, dtype=np.uint64), SHINGLE)
    if shingles.size > MAX_SHINGLES:
        # Keep a hash-defined sample, so both sides of a comparison keep the same shingles.
        shingles = np.sort(shingles)[:MAX_SHINGLES]

    # Loanword anchors meet only Japanese texts (verify/keys.py): in the anchor signature
    # they would dilute the sets of two Latin-script translations; so would names without
    # their prefixes (anchors._clitic_anchors), most of which are no names. So would the
    # common nouns of a language that capitalizes them (local anchors): a German translation
    # of a French article has five times its capitalized words; and the common words of a
    # caseless script.
    case_odds = _case_odds(per_sentence, params)
    unsigned_local = case_odds < 1.0
    unsigned: set[str] = set()
    key_ids: dict[str, int] = {}
    labels: list[str] = []
    weights: list[float] = []
    occ: list[int] = []
    offsets = [0]
    anchor_lists = [s.anchors for s in per_sentence]
    if clitics(lang):
        anchor_lists = _without_prefixes(anchor_lists)
    for found in anchor_lists:
        seen: set[int] = set()
        for anchor in found:
            if anchor.common or (unsigned_local and anchor.local):
                unsigned.add(anchor.key)
            idx = key_ids.get(anchor.key)
            if idx is None:
                idx = key_ids[anchor.key] = len(labels)
                labels.append(anchor.label)
                weights.append(anchor.weight)
            elif anchor.weight > weights[idx]:
                weights[idx] = anchor.weight
            if idx not in seen:
                seen.add(idx)
                occ.append(idx)
        offsets.append(len(occ))
    keys = tuple(key_ids)
    anchor_hashes = np.array([hash64(k) & 0xFFFFFFFF for k in keys], dtype=np.uint32)
    signed = np.array([not is_match_only(k) and k not in unsigned for k in keys], dtype=bool)
    sig_anchor = _signature_if(anchor_hashes[signed], params.min_anchors, ANCHOR_PERM)
    numbers = _numbers(keys)
    sig_number = _signature_if(anchor_hashes[numbers], params.min_numbers)
    return Fingerprint(
        lang=lang,
        n_units=n_units,
        title_sentences=title_sentences,
        name_odds=round(_name_odds(per_sentence, case_odds, params), 4),
        sentence_hashes=sentence_hashes,
        sentence_units=sentence_units,
        keys=keys,
        labels=tuple(labels),
        weights=np.array(weights, dtype=np.float32),
        occ_offsets=np.array(offsets, dtype=np.uint32),
        occ=np.array(occ, dtype=np.uint32),
        shingles=shingles,
        sig_lexical=signature(shingles),
        sig_anchor=sig_anchor,
        sig_number=sig_number,
        anchor_signed=signed if sig_anchor.size else None,
        number_signed=numbers if sig_number.size else None,
    )


def _without_prefixes(anchor_lists: list[tuple[Anchor, ...]]) -> list[list[Anchor]]:
    """Per sentence, an Arabic or Hebrew word that begins with prefixes (anchors._clitic_anchors) is
    the name it holds when the text writes that name without them elsewhere; else it stays,
    with the anchors it may hold, marked."""
    plain = {a.key for anchors in anchor_lists for a in anchors}
    out: list[list[Anchor]] = []
    for anchors in anchor_lists:
        kept: list[Anchor] = []
        for anchor in anchors:
            known = [bare for bare in anchor.bare if bare.key in plain]
            if known:
                kept.append(known[0])
            else:
                kept.append(anchor)
                kept.extend(Anchor(clitic_key(b.key), b.label, b.weight) for b in anchor.bare)
        out.append(kept)
    return out


def _writes_no_capitals(sents: list[str]) -> bool:
    """A text of a cased script with not one capital letter (a chat, a post typed in lowercase,
    a page lowercased by its scraper): capitalization tells nothing about its names, so it is
    read as a caseless script is, by rarity alone."""
    # Sentence by sentence: most texts show a capital in their first one.
    return all(s == s.lower() for s in sents) and any(s != s.upper() for s in sents)


def _name_odds(
    per_sentence: list[SentenceAnchors], case_odds: float, params: FingerprintParams
) -> float:
    """How much of the text's name weight a translation can be expected to keep, relative to a
    language that capitalizes only names: lower for a text that capitalizes common words
    (case_odds, from _case_odds), and for katakana runs, as many loanwords as names (measured
    0.23-0.28)."""
    if not params.name_odds:
        return 1.0
    odds = case_odds
    katakana = sum(s.katakana for s in per_sentence)
    if katakana:
        names = sum(is_spelled_name(a.key) for s in per_sentence for a in s.anchors)
        odds = min(odds, 1.0 - (1.0 - params.katakana_odds) * katakana / names)
    return odds


def _case_odds(per_sentence: list[SentenceAnchors], params: FingerprintParams) -> float:
    """Below 1 for a text that capitalizes common words (German nouns, title-cased product
    pages), which has mostly translatable words among its capitals. Measured on the tune half,
    capitalized words of German articles are found in their translations 0.1-0.2 of the time,
    those of English, French or Russian ones 0.4-0.9."""
    words = sum(s.inner_words for s in per_sentence)
    if words < params.min_case_words:
        return 1.0
    share = sum(s.inner_capitalized for s in per_sentence) / words
    return min(1.0, params.name_share / share) if share > 0 else 1.0


def _numbers(keys: tuple[str, ...]) -> np.ndarray:
    """The keys the number signature is a MinHash of (when there are min_numbers): the
    article's numbers of two digits and more. They survive translation almost always (measured
    0.96) and rarely meet by chance: their own space finds translations whose names were
    respelled or dropped. Single digits are left out (signed too, they gained 5 long
    alphabetic pairs on tune for 7% more candidate pairs, and brought number-rich articles on
    one war together on check), and so are months: one of twelve would make any two dated
    articles alike."""
    return np.array([is_number(k) and len(k) >= 3 and not is_month_key(k) for k in keys], bool)


def _signature_if(hashes: np.ndarray, minimum: int, num_perm: int = NUM_PERM) -> np.ndarray:
    if hashes.size < minimum:
        return np.zeros(0, dtype=np.uint32)
    return signature(hashes, num_perm)
