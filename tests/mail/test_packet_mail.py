"""Submissions become packets that reach a real SMTP server, once, whatever happens to it."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.transports import transport_from_config
from workflow.models import (
    Job,
    OutboxMessage,
    OutboxStatus,
    Packet,
    PacketSnapshot,
)
from workflow.models.base import utcnow
from workflow.notifications.preferences import set_preferences
from workflow.packets.operations import recording_event
from workflow.storage_setup import get_storage


@pytest.fixture(autouse=True)
def _reviewer_mail_only(seller_submission):
    """These tests follow the packet to the reviewers' mailbox: the applicant's receipt (which
    carries the same packet, tests/mail/test_notification_mail.py) is switched off."""
    _, applicant, _ = seller_submission
    set_preferences(applicant, {"receipt": False})
    db.session.commit()


def _due_now():
    for job in db.session.scalars(select(Job)):
        job.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_submission_packet_is_stored_and_mailed(smtp_app, smtp_server, seller_submission):
    journey, _, submit = seller_submission
    event = submit()
    packet = db.session.scalars(select(Packet)).one()
    assert packet.event_id == event.id and packet.kind == "enablement_seller"
    # The submission's event records the digest of the inputs the packet was rendered from;
    # a second chained event, the desk's, records the PDF's SHA-256.
    snapshot = db.session.scalars(select(PacketSnapshot)).one()
    assert event.data["packet_inputs"]["sha256"] == snapshot.inputs_sha256
    assert event.packet_sha256 is None
    rendered = recording_event(packet)
    assert rendered.event == "packet.rendered" and rendered.id == snapshot.rendered_event_id
    assert rendered.packet_sha256 == packet.sha256 and rendered.id > event.id
    with get_storage().open(packet.file_id) as fh:
        pdf = fh.read()
    assert hashlib.sha256(pdf).hexdigest() == packet.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "2200123456" in text and "Demo Flagship Store" in text

    result = send_due(transport_from_config(smtp_app.config))
    assert result.sent == 1
    [message] = smtp_server.messages
    assert message["To"] == smtp_app.config["TMALL_MAILBOX"]
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == f"{packet.reference}.pdf"
    assert hashlib.sha256(attachment.get_payload(decode=True)).hexdigest() == packet.sha256


def test_large_packet_is_mailed_as_a_link(app, smtp_app, smtp_server, seller_submission):
    journey, _, submit = seller_submission
    app.config["MAIL_ATTACHMENT_LIMIT_BYTES"] = 1000
    try:
        submit()
    finally:
        app.config["MAIL_ATTACHMENT_LIMIT_BYTES"] = 10 * 1024 * 1024
    send_due(transport_from_config(smtp_app.config))
    [message] = smtp_server.messages
    assert not [p for p in message.walk() if p.get_filename()]
    body = message.get_payload(decode=True).decode()
    link = next(word for word in body.split() if "/packets/link/" in word)
    response = app.test_client().get(link.replace("http://desk.test", ""))
    assert response.status_code == 200
    packet = db.session.scalars(select(Packet)).one()
    assert hashlib.sha256(response.get_data()).hexdigest() == packet.sha256
    assert app.test_client().get("/packets/link/forged-token").status_code == 404


def test_server_down_then_up_delivers_exactly_once(smtp_app, smtp_server, seller_submission):
    _, _, submit = seller_submission
    submit()
    smtp_server.stop()
    transport = transport_from_config(smtp_app.config)
    result = send_due(transport)
    # The server being down is no fault of the message: it waits without spending an attempt.
    assert (result.sent, result.retried, result.deferred) == (0, 0, 1)
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status is OutboxStatus.pending and row.sending_claim is None
    assert row.delivery.attempts == 0
    smtp_server.start()
    assert send_due(transport).sent == 1
    _due_now()
    assert send_due(transport).sent == 0
    assert len(smtp_server.messages) == 1
    assert db.session.get(OutboxMessage, row.id).status is OutboxStatus.sent


def test_mail_failure_does_not_roll_back_the_submission(smtp_app, smtp_server, seller_submission):
    journey, _, submit = seller_submission
    smtp_server.stop()
    submit()
    send_due(transport_from_config(smtp_app.config))
    db.session.expire_all()
    assert journey.state == "enablement_submitted"
    assert db.session.scalars(select(Packet)).one()


def test_applicant_downloads_and_mails_a_copy(client, login, seller_submission):
    journey, applicant, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert packet.reference in page
    pdf = client.get(f"/journeys/{journey.id}/packets/{packet.id}.pdf")
    assert hashlib.sha256(pdf.get_data()).hexdigest() == packet.sha256
    client.post(f"/journeys/{journey.id}/packets/{packet.id}/mail")
    copies = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == applicant.email)
    ).all()
    assert len(copies) == 1 and copies[0].attachment_file_id == packet.file_id


def test_packets_verify_cli(app, tmp_path, seller_submission):
    _, _, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    path = tmp_path / "packet.pdf"
    with get_storage().open(packet.file_id) as fh:
        path.write_bytes(fh.read())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["packets", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "packet verified" in result.output and packet.reference in result.output
    rendered = recording_event(packet)
    assert f"recorded by event {rendered.id}" in result.output and "chain ok" in result.output
    for check in ("submission inputs", "rendered event", "stored packet", "re-render"):
        assert f"ok    {check}" in result.output, result.output
    tampered = bytearray(path.read_bytes())
    tampered[len(tampered) // 2] ^= 0xFF
    path.write_bytes(bytes(tampered))
    result = runner.invoke(args=["packets", "verify", str(path)])
    assert result.exit_code == 1


def test_failed_mail_can_be_requeued_and_then_arrives(
    app, smtp_app, smtp_server, seller_submission
):
    from workflow.mail import delivery

    _, _, submit = seller_submission
    submit()
    smtp_server.recorder.refusing = True  # the message itself is refused, every time
    transport = transport_from_config(smtp_app.config)
    for _ in range(delivery.MAX_ATTEMPTS):
        send_due(transport)
        _due_now()
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status is OutboxStatus.failed and row.delivery.attempts == delivery.MAX_ATTEMPTS
    assert "SMTPRecipientsRefused" in row.delivery.last_error
    runner = app.test_cli_runner()
    assert "failed 1" in runner.invoke(args=["outbox", "status"]).output
    assert runner.invoke(args=["outbox", "requeue"]).output.strip() == "requeued 1"
    smtp_server.recorder.refusing = False
    assert send_due(transport).sent == 1
    assert len(smtp_server.messages) == 1


def test_editing_the_recorded_packet_hash_breaks_the_chain(seller_submission):
    from sqlalchemy import text

    from workflow.audit import verify_chain

    _, _, submit = seller_submission
    submit()
    rendered = recording_event(db.session.scalars(select(Packet)).one())
    db.session.execute(
        text("UPDATE events SET packet_sha256 = :fake WHERE id = :id"),
        {"fake": "f" * 64, "id": rendered.id},
    )
    db.session.commit()
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok and report.broken_event_id == rendered.id


def test_a_line_break_in_a_company_name_reaches_the_mailbox_on_one_subject_line(
    smtp_app, smtp_server, seller_submission
):
    journey, _, submit = seller_submission
    journey.account.name = "Demo\r\nBcc: someone@example.com\t Store"
    db.session.commit()
    submit()
    result = send_due(transport_from_config(smtp_app.config))
    assert (result.sent, result.failed) == (1, 0)
    [message] = smtp_server.messages
    assert message["Subject"].endswith("Demo Bcc: someone@example.com Store")
    assert message["Bcc"] is None
    assert message["To"] == smtp_app.config["TMALL_MAILBOX"]
