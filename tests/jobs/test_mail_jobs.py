"""Mail as a job kind: a repeat only when the database fails right after the send, and logged."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.outbox import queue_mail
from workflow.models import Job, JobStatus, OutboxMessage, OutboxStatus
from workflow.models.base import utcnow


class Recorder:
    def __init__(self):
        self.sent: list[str] = []

    def send(self, message):
        self.sent.append(message["Message-ID"])


def test_a_database_failure_after_the_send_repeats_it_once_with_the_same_id(
    database, monkeypatch, caplog
):
    message = queue_mail("ops@example.com", "Report", "body")
    db.session.commit()
    transport = Recorder()
    real_commit = db.session.commit
    failed = []

    def commit_failing_right_after_the_send():
        if transport.sent and not failed:
            failed.append(True)
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit_failing_right_after_the_send)
    with caplog.at_level(logging.ERROR, logger="workflow.jobs"):
        result = send_due(transport)
    assert (result.sent, result.retried) == (0, 0)
    assert "had its effect, but recording it as done failed" in caplog.text
    assert "will then repeat" in caplog.text
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.sending and row.sent_at is None
    assert send_due(transport).sent == 0  # its lease still holds
    db.session.execute(update(Job).values(leased_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert send_due(transport).sent == 1
    assert transport.sent == [message.message_id, message.message_id]
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.sent and row.sent_at and row.delivery.attempts == 2


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(database):
    queue_mail("ops@example.com", "Never", "body")
    db.session.rollback()
    transport = Recorder()
    assert send_due(transport).sent == 0 and transport.sent == []
    assert db.session.scalars(db.select(Job)).all() == []


def test_a_failing_mail_does_not_hold_up_the_next_message(database):
    class Flaky(Recorder):
        def send(self, message):
            if message["To"] == "bad@example.com":
                raise ConnectionRefusedError("refused")
            super().send(message)

    queue_mail("bad@example.com", "One", "body")
    good = queue_mail("good@example.com", "Two", "body")
    db.session.commit()
    transport = Flaky()
    result = send_due(transport)
    assert (result.sent, result.retried) == (1, 1)
    assert transport.sent == [good.message_id]
    query = db.select(OutboxMessage.to_addr, Job.status).join(Job, OutboxMessage.delivery)
    statuses = {to: status for to, status in db.session.execute(query)}
    assert statuses == {"bad@example.com": JobStatus.pending, "good@example.com": JobStatus.done}
