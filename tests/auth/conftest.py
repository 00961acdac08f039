"""A mailbox for the account tests: the outbox delivered to a real SMTP server on loopback."""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import urlsplit

import pytest

from tests.mail.conftest import smtp_app, smtp_server  # noqa: F401 (fixtures)
from workflow.mail.delivery import send_due
from workflow.mail.transports import transport_from_config

REGISTRATION = {
    "password": "long enough password",
    "confirm": "long enough password",
    "account_kind": "isv",
    "account_name": "杭州测试科技有限公司",
    "taobao_account_id": "hz_test_01",
}


class Mailbox:
    def __init__(self, app, server):
        self.app, self.server = app, server

    def to(self, address: str) -> list[Message]:
        """Deliver what the outbox holds, then every message received for ``address``."""
        send_due(transport_from_config(self.app.config))
        return [m for m in self.server.messages if m["To"] == address]

    def one_to(self, address: str) -> Message:
        messages = self.to(address)
        assert len(messages) == 1, [m["Subject"] for m in messages]
        return messages[0]


def body_of(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def link_in(message: Message, path: str) -> str:
    """The desk-relative URL (path and query) of the link to ``path`` in ``message``."""
    [url] = re.findall(rf"http://desk\.test{re.escape(path)}\S*", body_of(message))
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def token_of(link: str) -> str:
    return link.partition("token=")[2]


@pytest.fixture
def mailbox(smtp_app, smtp_server):  # noqa: F811
    return Mailbox(smtp_app, smtp_server)


def register(client, email: str, **changes):
    return client.post("/register", data={**REGISTRATION, "email": email, **changes})
