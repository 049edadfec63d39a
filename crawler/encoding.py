"""Decoding pages whose charset is missing, wrong or contradictory.

Order of trust: a byte-order mark; then UTF-8 when the bytes are valid UTF-8 (whatever the
page declares: a valid UTF-8 byte sequence is almost never accidental); then the declared
charset (HTTP header, then <meta>); and Windows-1252, the web's de-facto default, last. A
declared UTF-8 that does not decode is the common lie: those pages are Windows-1252.
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
                return body.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
    return body.decode(FALLBACK, errors="replace")
