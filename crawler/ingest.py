"""`syndetect ingest`: import articles from JSONL without crawling.

One JSON object per line: url, title, text, optional lang and published (ISO date). Bad lines
(invalid JSON or UTF-8, a missing field, a NUL or lone surrogate in a string) are reported with
their line numbers and skipped; good ones are stored.

Ingest never rewrites what it does not own: a URL stored under another site is skipped unless
`move`, and an existing site's role changes only with `set_role`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from crawler.errors import UserError
from crawler.language import identify, language_code
from crawler.urls import canonical, check_http_url
from db.models import Article, Site
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
        # json's messages end "… at" when they expect the position next ("Invalid control
        # character at"): name the column once.
        raise ValueError(
            f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
        ) from None
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
    for key in ("url", "title", "text"):
        _check_storable(key, obj.get(key))
    lang = obj.get("lang")
    if lang is not None:
        if not isinstance(lang, str):
            raise ValueError("key 'lang': must be a language code such as 'en'")
        try:
            lang = language_code(lang)
        except ValueError as exc:
            raise ValueError(f"key 'lang': {exc}") from None
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


def _check_storable(key: str, value: object) -> None:
    """Text either database refuses: NUL (PostgreSQL), lone surrogates (no UTF-8 for them).
    Refused here, the line is skipped alone, on both databases alike."""
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise ValueError(f"key {key!r}: contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"key {key!r}: contains a lone surrogate (\\ud800-\\udfff)") from None


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


def check_readable(path: Path) -> None:
    """A one-line error before anything is opened or created."""
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


def _lines(path: Path) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """(line number, text) per non-blank line; a line that is not UTF-8 comes with its error
    instead, so that it alone is skipped."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield number, exc
                    continue
                if line.strip():
                    yield number, line.removeprefix("\ufeff") if number == 1 else line
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


def check_role(engine: Engine, site: str, role: str, set_role: bool) -> None:
    """An existing site keeps its role unless the user says to change it."""
    with session_factory(engine)() as session:
        current = session.scalar(select(Site.role).where(Site.name == site))
    if current is not None and current != role and not set_role:
        raise UserError(
            f"site {site!r} is a {current}, not a {role}: add --set-role to change its role, "
            "or check --site"
        )


def ingest(
    engine: Engine,
    path: str | Path,
    site: str,
    role: str,
    report_bad: Callable[[str], None] | None = None,
    move: bool = False,
) -> IngestResult:
    """Store the file's articles under `site` (the caller has checked the role, see check_role).
    A URL stored under another site is skipped and reported, unless `move`."""
    path = Path(path)
    result = IngestResult()

    def bad(number: int, problem: str) -> None:
        message = f"{path}:{number}: {problem}"
        result.bad_lines.append(message)
        if report_bad:
            report_bad(message)

    with session_factory(engine)() as session:
        record_site = upsert_site(session, site, role)
        for number, raw in _lines(path):
            if isinstance(raw, UnicodeDecodeError):
                bad(number, f"not UTF-8 ({raw.reason} at column {raw.start + 1})")
                continue
            try:
                record = parse_line(raw)
            except ValueError as exc:
                bad(number, str(exc))
                continue
            owner = _other_owner(session, record.url, record_site.id)
            if owner is not None and not move:
                bad(number, f"{record.url} belongs to site {owner!r}; skipped (--move moves it)")
                continue
            result.outcomes[store_article(session, record_site, record)] += 1
            if sum(result.outcomes.values()) % COMMIT_EVERY == 0:
                session.commit()
        session.commit()
    return result


# Built once: run for every line, building the statement cost more than running it.
_OTHER_OWNER = (
    select(Site.name)
    .join(Article, Article.site_id == Site.id)
    .where(Article.url == bindparam("url"), Site.id != bindparam("site_id"))
)


def _other_owner(session: Session, url: str, site_id: int) -> str | None:
    """The name of the other site that stores `url`, if any."""
    return session.connection().scalar(_OTHER_OWNER, {"url": url, "site_id": site_id})
