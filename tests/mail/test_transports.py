"""Which SMTP answers mean "the server is down, try later" and which refuse one message."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.mail.conftest import free_port
from workflow.jobs import ServiceUnavailable
from workflow.mail.transports import FileTransport, SmtpTransport


class Answering:
    """Answers DATA with a fixed reply, and RCPT with 550 for refused@ addresses."""

    def __init__(self, reply: str):
        self.reply, self.received = reply, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return self.reply


@pytest.fixture
def answering_server(request):
    handler = Answering(request.param)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, SmtpTransport("127.0.0.1", controller.port, timeout=10)
    controller.stop()


def _message(to: str = "someone@example.com") -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"], message["From"], message["To"] = "<t@desk>", "desk@example.com", to
    message["Subject"] = "Hello"
    message.set_content("body")
    return message


def test_a_refused_connection_is_the_server_being_unavailable():
    transport = SmtpTransport("127.0.0.1", free_port(), timeout=5)
    with pytest.raises(ServiceUnavailable) as raised:
        transport.send(_message())
    assert raised.value.service == f"SMTP server 127.0.0.1:{transport.port}"
    assert "ConnectionRefusedError" in str(raised.value)


@pytest.mark.parametrize("answering_server", ["451 4.3.0 try again later"], indirect=True)
def test_a_try_later_answer_is_the_server_being_unavailable(answering_server):
    _, transport = answering_server
    with pytest.raises(ServiceUnavailable, match="451"):
        transport.send(_message())


@pytest.mark.parametrize("answering_server", ["554 5.6.0 message refused"], indirect=True)
def test_a_message_refused_for_good_is_that_message_failing(answering_server):
    handler, transport = answering_server
    with pytest.raises(smtplib.SMTPDataError) as raised:
        transport.send(_message())
    assert not isinstance(raised.value, ServiceUnavailable) and raised.value.smtp_code == 554
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        transport.send(_message("refused@example.com"))
    assert handler.received == 1


@pytest.mark.parametrize("answering_server", ["250 OK"], indirect=True)
def test_an_accepted_message_is_sent_once(answering_server):
    handler, transport = answering_server
    transport.send(_message())
    assert handler.received == 1


def test_a_mail_folder_that_cannot_be_written_is_unavailable(tmp_path):
    blocked = tmp_path / "mail"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(ServiceUnavailable, match="mail folder"):
        FileTransport(blocked).send(_message())
