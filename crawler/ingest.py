"""`syndetect ingest`: import articles from JSONL without crawling.

One JSON object per line: url, title, text, optional lang and published (ISO date). Bad lines
are reported with their line numbers and skipped; good ones are stored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from crawler.errors import UserError
from crawler.language import identify
from crawler.urls import canonical, check_http_url
from db.session import session_factory
from db.store import ArticleRecord, store_article, upsert_site

FIELDS = {"url", "title", "text", "lang", "published"}
COMMIT_EVERY = 500


@dataclass
class IngestResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    bad_lines: list[str] = field(default_factory=list)


def parse_line(raw: str) -> ArticleRecord:
    """One JSONL line → record; ValueError with the reason when the line is unusable."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    problem = check_http_url(obj.get("url"))
    if problem:
        raise ValueError(f"key 'url': {problem}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("key 'text': missing or empty")
    title = obj.get("title")
    if title is not None and not isinstance(title, str):
        raise ValueError("key 'title': must be a string")
    lang = obj.get("lang")
    if lang is not None and (not isinstance(lang, str) or not lang.isalpha()):
        raise ValueError("key 'lang': must be a language code such as 'en'")
    published = obj.get("published")
    if published is not None:
        published = _parse_published(published)
    confidence = None
    if not lang:
        lang, confidence = identify(text)
    return ArticleRecord(
        url=canonical(obj["url"]),
        text=text.strip(),
        title=title,
        published=published,
        lang=lang.lower() if lang else None,
        lang_confidence=1.0 if obj.get("lang") else confidence,
    )


def _parse_published(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("key 'published': must be an ISO date string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"key 'published': {value!r} is not an ISO date") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"key 'published': {value!r} is out of range") from None
    return parsed


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield number, line
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


def ingest(
    engine: Engine,
    path: str | Path,
    site: str,
    role: str,
    report_bad: Callable[[str], None] | None = None,
) -> IngestResult:
    path = Path(path)
    result = IngestResult()
    with session_factory(engine)() as session:
        record_site = upsert_site(session, site, role)
        for number, raw in _lines(path):
            try:
                record = parse_line(raw)
            except ValueError as exc:
                message = f"{path}:{number}: {exc}"
                result.bad_lines.append(message)
                if report_bad:
                    report_bad(message)
                continue
            result.outcomes[store_article(session, record_site, record)] += 1
            if sum(result.outcomes.values()) % COMMIT_EVERY == 0:
                session.commit()
        session.commit()
    return result
