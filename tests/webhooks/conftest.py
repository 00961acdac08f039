"""A receiver on loopback that checks each delivery's signature, and a clock to move."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workflow.models.base import utcnow


@dataclass
class Arrival:
    delivery_id: str
    event: str
    timestamp: str
    signature: str
    body: bytes
    #: Whether the receiver's own check of the HMAC passed.
    verified: bool

    @property
    def data(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers 204 to every POST, or ``status`` when set; checks the HMAC with ``secret``."""

    port: int
    secret: str = ""
    status: int | None = None
    #: The body of a refusal (an answer with ``status``).
    answer: bytes = b""
    arrivals: list[Arrival] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/desk"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Onboarding-Timestamp", "")
                given = self.headers.get("X-Onboarding-Signature", "")
                signed = timestamp.encode() + b"." + body
                expected = hmac.new(receiver.secret.encode(), signed, hashlib.sha256).hexdigest()
                receiver.arrivals.append(
                    Arrival(
                        self.headers.get("X-Onboarding-Delivery", ""),
                        self.headers.get("X-Onboarding-Event", ""),
                        timestamp,
                        given,
                        body,
                        hmac.compare_digest(given, "v1=" + expected),
                    )
                )
                self.send_response(receiver.status or 204)
                if receiver.status and receiver.answer:
                    self.send_header("Content-Length", str(len(receiver.answer)))
                    self.end_headers()
                    self.wfile.write(receiver.answer)
                    return
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def receiver():
    """A receiver that is not listening yet (``start()`` it); stopped at the end."""
    r = Receiver(_free_port())
    yield r
    r.stop()


@pytest.fixture
def loopback_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The desk's clock for the queue, the worker and the webhooks, moved by the test."""
    import workflow.jobs.queue
    import workflow.jobs.runner
    import workflow.webhooks.delivery
    import workflow.webhooks.events
    import workflow.webhooks.operations

    c = Clock()
    for module in (
        workflow.jobs.queue,
        workflow.jobs.runner,
        workflow.webhooks.delivery,
        workflow.webhooks.events,
        workflow.webhooks.operations,
    ):
        monkeypatch.setattr(module, "utcnow", c)
    return c
