"""Decoding pages whose charset is missing, wrong or contradictory.

Order of trust: a byte-order mark; then UTF-8 when the bytes are valid UTF-8 (whatever the
page declares: a valid UTF-8 byte sequence is almost never accidental); then the declared
charset (HTTP header, then <meta>) if it reads the page's tags as tags; and Windows-1252, the
web's de-facto default, last. A declared UTF-8 that does not decode is the common lie: those
pages are Windows-1252.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

FALLBACK = "cp1252"


def decode_html(body: bytes, content_type: str | None) -> str:
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom) :].decode(bom_encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for declared in (
        http_content_type_encoding(content_type or ""),
        html_body_declared_encoding(body),
    ):
        encoding = resolve_encoding(declared) if declared else None
        if encoding and codecs.lookup(encoding).name != "utf-8":
            try:
                text = body.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
            if _keeps_markup(body, text):
                return text
    return body.decode(FALLBACK, errors="replace")


def _keeps_markup(body: bytes, text: str) -> bool:
    """Whether a declared charset reads the page's tags as tags. Any byte string decodes as
    UTF-16: Windows-1252 bytes declared UTF-16 become CJK ideographs, and not one "<" survives.
    A true charset keeps the markup, one "<" per "<" byte (UTF-16's "<" is one byte and a NUL)."""
    return text.count("<") * 2 >= body.count(b"<")
