"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import email
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages: list[Message] = []
        #: While set, every recipient is refused for good (550), as for an unknown mailbox.
        self.refusing = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[Message]:
        return self.recorder.messages


@pytest.fixture
def smtp_server():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """Point the session app at the loopback SMTP server for one test."""
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SMTP_HOST", "MAIL_SMTP_PORT")}
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=smtp_server.port
    )
    yield app
    app.config.update(saved)
