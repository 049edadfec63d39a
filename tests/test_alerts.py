"""Alerts against a real local webhook receiver: raised once, retried, no secret in the logs."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import demo_jsonl, syndetect_ok

SECRET = "s3cr3t-token-0f-the-newsroom"


class Receiver:
    """Answers 500 to the first POST, 200 afterwards; keeps what it got."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                status = 500 if receiver.attempts == 1 else 200
                if status == 200:
                    receiver.received.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.85", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.85:{self.server.server_address[1]}/hook?token={SECRET}"


def ingest(db: str, tmp_path, name: str, role: str) -> None:
    path = demo_jsonl(tmp_path, name)
    syndetect_ok("--db", db, "--quiet", "ingest", str(path), "--site", name, "--role", role)


@pytest.mark.slow
def test_new_syndicator_and_watched_copies_alerted_once_with_retries(tmp_path):
    receiver = Receiver()
    config = tmp_path / "alerts.toml"
    config.write_text(
        f'[alerts]\nwebhook = "{receiver.url}"\nwatch = ["daily-planet"]\nretries = 3\n'
        "timeout = 5\n"
        '[[site]]\nname = "x"\nrole = "source"\nstart_urls = ["http://x.example/"]\n'
    )
    db = f"sqlite:///{tmp_path / 'a.db'}"
    ingest(db, tmp_path, "daily-planet", "source")
    ingest(db, tmp_path, "welt-nachrichten", "suspect")
    first = syndetect_ok("--db", db, "--quiet", "match", "--config", str(config))
    second = syndetect_ok("--db", db, "--quiet", "match", "--config", str(config))
    receiver.server.shutdown()
    events = sorted(r["event"] for r in receiver.received)
    assert events == ["new_copy"] * 3 + ["new_syndicator"]
    syndicator = next(r for r in receiver.received if r["event"] == "new_syndicator")
    assert syndicator["site"] == "welt-nachrichten" and syndicator["copies"] == 3
    assert receiver.attempts == 5, "one failed attempt, retried, then one POST per event"
    assert "'welt-nachrichten' is now judged a syndicator" in first.stderr
    assert "attempt 1/3" in first.stderr
    assert SECRET not in first.stderr + second.stderr
    assert "alert:" not in second.stderr, "each event is raised once"
