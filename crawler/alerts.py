"""Alerts: a site newly judged a syndicator, or a new copy of a watched source.

Each event is raised once (the `alerts` table remembers it), always as a log line, and POSTed as
JSON to the configured webhook with retries; an event whose webhook delivery failed is sent
again after the next `match`. The webhook URL may carry a secret (a token in its query or
user-info): it is never logged, only its scheme and host.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from db.models import Alert
from db.session import session_factory

Log = Callable[[str], None]


@dataclass(frozen=True)
class AlertConfig:
    webhook: str | None = None
    watch: tuple[str, ...] = ()  # source site names whose new copies are alerted
    retries: int = 3
    timeout: float = 10.0


def redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/…"


def _new_events(session: Session, config: AlertConfig) -> list[Alert]:
    events = []
    syndicators = session.execute(
        text("SELECT site, copies, original_sites FROM site_report WHERE syndicator = 1")
    ).all()
    for site, copies, originals in syndicators:
        events.append(
            Alert(
                kind="syndicator",
                subject=site,
                payload={
                    "event": "new_syndicator",
                    "site": site,
                    "copies": copies,
                    "original_sites": sorted(filter(None, (originals or "").split(","))),
                },
            )
        )
    if config.watch:
        watched = session.execute(
            text(
                "SELECT match_id, copy_url, copy_site, copy_lang, original_url, original_site, "
                "kind, score FROM copies"
            )
        ).mappings()
        for row in watched:
            if row["original_site"] in config.watch:
                events.append(
                    Alert(
                        kind="watched_copy",
                        subject=str(row["match_id"]),
                        payload={"event": "new_copy", **dict(row)},
                    )
                )
    known = {tuple(row) for row in session.execute(select(Alert.kind, Alert.subject))}
    return [event for event in events if (event.kind, event.subject) not in known]


def post(url: str, payload: dict, retries: int, timeout: float, log: Log) -> bool:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    for attempt in range(1, retries + 1):
        problem = _deliver(url, body, timeout)
        if problem is None:
            return True
        log(f"alert: webhook {redacted(url)} failed ({problem}), attempt {attempt}/{retries}")
        if attempt < retries:
            time.sleep(min(2 ** (attempt - 1), 30))
    return False


def _deliver(url: str, body: bytes, timeout: float) -> str | None:
    """POST `body` to `url` within `timeout` seconds in all; None, or what went wrong (never
    the URL itself, which may carry a secret)."""
    outcome: list[str | None] = []
    worker = threading.Thread(
        target=lambda: outcome.append(_post_once(url, body, timeout)), daemon=True
    )
    worker.start()
    # urllib's timeout bounds each socket read, not the request: a server dripping its headers
    # a byte at a time would hold `match` (and its database lock) for as long as it likes.
    worker.join(timeout)
    return outcome[0] if outcome else f"no answer within {timeout:g}s"


def _post_once(url: str, body: bytes, timeout: float) -> str | None:
    headers = {"Content-Type": "application/json", "User-Agent": "syndetect-alerts"}
    try:
        target, authorization = _without_userinfo(url)
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(target, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return type(getattr(exc, "reason", exc)).__name__
    except http.client.InvalidURL:
        return "invalid URL"
    except (http.client.HTTPException, ValueError) as exc:
        # Not HTTP at all (BadStatusLine), or a URL urllib cannot send (a space in it).
        return type(exc).__name__


def _without_userinfo(url: str) -> tuple[str, str | None]:
    """The URL to request, and the Basic authorization its user-info stands for: urllib would
    look up "user:password@host" as a host name."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


def notify(engine: Engine, config: AlertConfig, log: Log) -> int:
    """Raise the new alerts, (re)deliver undelivered ones; returns how many were new."""
    with session_factory(engine)() as session:
        new = _new_events(session, config)
        for event in new:
            payload = event.payload
            if event.kind == "syndicator":
                log(
                    f"alert: {payload['site']!r} is now judged a syndicator "
                    f"({payload['copies']} copies of {', '.join(payload['original_sites'])})"
                )
            else:
                log(
                    f"alert: new copy of watched {payload['original_site']!r}: "
                    f"{payload['copy_url']} on {payload['copy_site']!r}"
                )
            session.add(event)
        session.commit()
        if config.webhook:
            pending = session.scalars(select(Alert).where(Alert.delivered.is_(False))).all()
            for event in pending:
                event.delivered = post(
                    config.webhook, event.payload, config.retries, config.timeout, log
                )
                session.commit()
        return len(new)
