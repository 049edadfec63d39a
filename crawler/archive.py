"""The raw responses of article pages, archived as WARC (warcio): what a page said, when, with
its SHA-256, so that evidence holds even after the copy is taken down.

One gzipped WARC file per crawl process, in SYNDETECT_ARCHIVE_DIR (default: beside a SQLite
database, `<name>-warc/`; else `./syndetect-warc/`). Each stored article points at its record
(file, offset) and keeps the payload's SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from sqlalchemy.engine import make_url
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Each record is its own gzip member, as warcio writes them, but at level 4, not warcio's fixed
# 9: an 80 KB article page took 5.7 ms to compress at 9 and 1.0 ms at 4 (+14 % in size), on
# the crawling process's thread, where every millisecond per page is crawl speed.
GZIP_LEVEL = 4


@dataclass(frozen=True)
class Stored:
    file: str  # relative to the archive directory
    offset: int
    sha256: str


def default_directory(db_url: str) -> Path:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database).expanduser().resolve()
        return database.with_name(database.stem + "-warc")
    return Path("syndetect-warc").resolve()


class Archive:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = f"syndetect-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.warc.gz"
        self._handle = None
        self._record = BytesIO()  # one uncompressed record, compressed into the file
        self._writer = WARCWriter(self._record, gzip=False)

    def write(
        self, url: str, status: int, headers: list[tuple[str, str]], body: bytes, fetched: datetime
    ) -> Stored:
        if self._handle is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.directory / self.name, "ab")  # noqa: SIM115
        offset = self._handle.tell()
        http_headers = StatusAndHeaders(f"{status} {_reason(status)}", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": fetched.replace(tzinfo=UTC).isoformat()},
        )
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self._handle.write(member.compress(self._record.getvalue()) + member.flush())
        self._handle.flush()
        return Stored(self.name, offset, hashlib.sha256(body).hexdigest())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def copy_records(directory: Path, records: list[tuple[str, int]], target: Path) -> None:
    """Write the records at (file, offset) in `directory` into one new WARC file `target`."""
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for name, offset in records:
            with open(directory / name, "rb") as handle:
                handle.seek(offset)
                record = next(iter(ArchiveIterator(handle)))
                copy = writer.create_warc_record(
                    record.rec_headers.get_header("WARC-Target-URI"),
                    "response",
                    payload=BytesIO(record.content_stream().read()),
                    http_headers=record.http_headers,
                    warc_headers_dict={
                        "WARC-Date": record.rec_headers.get_header("WARC-Date"),
                        "WARC-Record-ID": record.rec_headers.get_header("WARC-Record-ID"),
                    },
                )
                writer.write_record(copy)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
