"""The webhook against hostile or odd receivers on loopback (issue 23, item 12): user-info
credentials, a URL urllib cannot send, a reply that is not HTTP, a server dripping its headers.
Delivery fails or succeeds in bounded time, in one log line, never with the secret."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler.alerts import post
from crawler.urls import check_http_url

SECRET = "s3cr3t-t0ken"
PAYLOAD = {"event": "new_syndicator", "site": "farm"}


@contextmanager
def receiver(address: str) -> Iterator[tuple[int, list[dict]]]:
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            got.append(dict(self.headers))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((address, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], got
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def raw_server(address: str, reply: Callable[[socket.socket], None]) -> Iterator[int]:
    """Accepts connections and answers each with `reply(connection)`, whatever was asked."""
    listener = socket.create_server((address, 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_answer, args=(connection, reply, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def _answer(connection: socket.socket, reply: Callable, stop: threading.Event) -> None:
    with connection:
        try:
            connection.recv(65536)
            reply(connection, stop)
        except OSError:
            pass


def delivered(url: str, timeout: float = 2.0, retries: int = 1) -> tuple[bool, list[str], float]:
    lines: list[str] = []
    started = time.monotonic()
    ok = post(url, PAYLOAD, retries, timeout, lines.append)
    return ok, lines, time.monotonic() - started


def test_user_info_is_sent_as_basic_authorization():
    with receiver("127.0.0.150") as (port, got):
        ok, lines, _ = delivered(f"http://hook:{SECRET}@127.0.0.150:{port}/alerts")
    assert ok, lines
    expected = base64.b64encode(f"hook:{SECRET}".encode()).decode()
    assert got[0]["Authorization"] == f"Basic {expected}"


def test_url_with_a_space_fails_in_one_line_without_the_secret():
    with receiver("127.0.0.151") as (port, got):
        ok, lines, _ = delivered(f"http://127.0.0.151:{port}/hook?token={SECRET} x")
    assert not ok and len(lines) == 1
    assert SECRET not in lines[0] and "127.0.0.151" in lines[0]


def test_reply_that_is_not_http_fails_in_one_line():
    def garbage(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    with raw_server("127.0.0.152", garbage) as port:
        ok, lines, _ = delivered(f"http://127.0.0.152:{port}/hook?token={SECRET}")
    assert not ok and len(lines) == 1 and SECRET not in lines[0]


def test_server_dripping_headers_is_given_up_on_after_the_timeout():
    def drip(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200):
            if stop.wait(0.3):
                return
            connection.sendall(b"X: y\r\n")

    with raw_server("127.0.0.153", drip) as port:
        ok, lines, seconds = delivered(f"http://127.0.0.153:{port}/hook", timeout=1.0)
    assert not ok and len(lines) == 1
    assert seconds < 3, f"{seconds:.1f}s"


def test_invalid_webhook_url_is_reported_without_its_secret():
    for url in (
        f"ftp://hook:{SECRET}@127.0.0.154/hook",
        f"gopher://127.0.0.154/hook?token={SECRET}",
    ):
        problem = check_http_url(url)
        assert problem and SECRET not in problem, problem
