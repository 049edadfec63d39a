"""Serve rendered sites on loopback, each on its own address (127.0.0.2, 127.0.0.3, …) so
host-based site boundaries are real. Used by `syndetect demo` and by the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.demo.render import Page, Pages, render_web

NOT_FOUND = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)


class LoopbackWeb:
    """Running servers: `bases` gives each site's base URL, `pages` what each serves (mutable:
    tests change a site between crawls). With `access_log`, every server appends one line per
    request to that file: benchmarks count requests as the servers saw them."""

    def __init__(self, access_log: Path | None = None) -> None:
        self.bases: dict[str, str] = {}
        self.pages: dict[str, Pages] = {}
        self.servers: list[ThreadingHTTPServer] = []
        self.access_log = access_log
        self.lock = threading.Lock()

    def requests(self) -> int:
        """Requests answered so far, from the access log."""
        if self.access_log is None or not self.access_log.exists():
            return 0
        with self.access_log.open(encoding="utf-8") as lines:
            return sum(1 for _ in lines)


def _handler(web: LoopbackWeb, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # delayed ACKs stall every response by ~40 ms.
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            page = web.pages.get(name, {}).get(urlsplit(self.path).path, NOT_FOUND)
            if page.delay:
                time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for header, value in page.headers:
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(page.body)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if web.access_log is None:
                return
            line = f'{self.address_string()} {name} "{self.requestline}" {code}\n'
            with web.lock, web.access_log.open("a", encoding="utf-8") as log:
                log.write(line)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def serve(
    addresses: dict[str, tuple[str, int]], access_log: Path | None = None
) -> Iterator[LoopbackWeb]:
    """Bind one server per site at (address, port); port 0 picks a free port."""
    web = LoopbackWeb(access_log)
    servers = []
    try:
        for name, (address, port) in addresses.items():
            server = ThreadingHTTPServer((address, port), _handler(web, name))
            server.daemon_threads = True
            servers.append(server)
            web.servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            web.bases[name] = f"http://{address}:{server.server_address[1]}"
        yield web
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@contextmanager
def serve_web(
    content: dict[str, dict], discovery: dict[str, str], first_address: int = 2, port: int = 0
) -> Iterator[LoopbackWeb]:
    """Render and serve every site of `content`, the n-th on 127.0.0.(first_address + n)."""
    addresses = {
        name: (f"127.0.0.{first_address + index}", port) for index, name in enumerate(content)
    }
    with serve(addresses) as web:
        web.pages.update(render_web(content, web.bases, discovery))
        yield web
