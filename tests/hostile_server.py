"""A loopback web that misbehaves on purpose, for tests/test_hostile_web.py.

Unlike crawler.demo.server (static pages by path), every site here can answer per request:
slowly, in drips, with raw bytes and any headers, differently the second time, and every
request is recorded (site, target, time) so tests can say what was never fetched and when a
retry came. One server can also act as an HTTP proxy for invented host names, so that a site
which is *not* on a private address can be crawled offline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass(frozen=True)
class Reply:
    """One response. `delay`: seconds before the status line; `drip`: seconds between body
    chunks of `chunk` bytes; `length`: the Content-Length sent (None: no header, body ends when
    the connection closes; default: the body's length)."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    drip: float = 0.0
    chunk: int = 1
    length: int | None = -1


@dataclass(frozen=True)
class Hit:
    site: str
    target: str  # the request target as sent: path?query (absolute URL through the proxy)
    path: str  # percent-decoded path
    query: str
    at: float  # time.monotonic()


@dataclass
class Request:
    site: str
    target: str
    path: str
    query: dict[str, str]
    seen: int  # earlier requests of this same target on this site
    headers: dict[str, str] = field(default_factory=dict)


Route = Reply | Callable[[Request], Reply]
NOT_FOUND = Reply(b"<html><body><h1>Not found</h1></body></html>", status=404)


class HostileWeb:
    """`bases[name]` is a site's base URL; `routes[name][path]` what it serves (a Reply or a
    function of the Request; mutable between crawls); `fallback[name]` answers other paths."""

    def __init__(self) -> None:
        self.bases: dict[str, str] = {}
        self.routes: dict[str, dict[str, Route]] = {}
        self.fallback: dict[str, Callable[[Request], Reply | None]] = {}
        self.vhosts: dict[str, str] = {}  # host name → site name, for proxied requests
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def requests_to(self, site: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.site == site]

    def paths(self, site: str) -> list[str]:
        return [hit.path for hit in self.requests_to(site)]

    def times(self, site: str, path: str) -> list[float]:
        return [hit.at for hit in self.requests_to(site) if hit.path == path]

    def _record(self, hit: Hit) -> int:
        with self._lock:
            seen = sum(1 for h in self.hits if h.site == hit.site and h.target == hit.target)
            self.hits.append(hit)
        return seen

    def answer(self, site: str, request: Request) -> Reply:
        route = self.routes.get(site, {}).get(request.path)
        if route is None and site in self.fallback:
            route = self.fallback[site](request)
        if route is None:
            return NOT_FOUND
        return route(request) if callable(route) else route


def _handler(web: HostileWeb, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            site, target = name, self.path
            parts = urlsplit(target)
            if parts.scheme:
                # Proxied (absolute-form target): a known host name is served as its site;
                # anything else is only recorded, under "proxy", with its full URL.
                site = web.vhosts.get(parts.hostname or "", "proxy")
                if site != "proxy":
                    target = parts.path + (f"?{parts.query}" if parts.query else "")
            path = unquote(parts.path)
            hit = Hit(site, target, path, parts.query, time.monotonic())
            seen = web._record(hit)
            request = Request(
                site,
                target,
                path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                seen,
                {k.lower(): v for k, v in self.headers.items()},
            )
            self._send(web.answer(site, request))

        def _send(self, reply: Reply) -> None:
            if reply.delay and web.stopping.wait(reply.delay):
                return
            try:
                self.send_response(reply.status)
                if reply.content_type is not None:
                    self.send_header("Content-Type", reply.content_type)
                length = len(reply.body) if reply.length == -1 else reply.length
                if length is None or length != len(reply.body):
                    self.send_header("Connection", "close")
                    self.close_connection = True
                if length is not None:
                    self.send_header("Content-Length", str(length))
                for header, value in reply.headers:
                    self.send_header(header, value)
                self.end_headers()
                if not reply.drip:
                    self.wfile.write(reply.body)
                else:
                    for start in range(0, len(reply.body), reply.chunk):
                        self.wfile.write(reply.body[start : start + reply.chunk])
                        self.wfile.flush()
                        if web.stopping.wait(reply.drip):
                            return
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-reply (timeouts, size limits) are the point, not errors."""


@contextmanager
def serve(addresses: dict[str, str]) -> Iterator[HostileWeb]:
    """One server per site name at its loopback address (free port)."""
    web = HostileWeb()
    servers = []
    try:
        for name, address in addresses.items():
            server = QuietServer((address, 0), _handler(web, name))
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            web.bases[name] = f"http://{address}:{server.server_address[1]}"
            web.routes.setdefault(name, {})
        yield web
    finally:
        web.stopping.set()
        for server in servers:
            server.shutdown()
            server.server_close()
