"""Mail as a job kind: marked as being sent before SMTP, as sent after, and never sent twice by
the desk when the database fails in between."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from workflow import jobs
from workflow.extensions import db
from workflow.mail.delivery import mail_kind, send_due
from workflow.mail.outbox import queue_mail
from workflow.models import Job, JobStatus, OutboxMessage, OutboxStatus
from workflow.models.base import utcnow


class Recorder:
    def __init__(self):
        self.sent: list[str] = []

    def send(self, message):
        self.sent.append(message["Message-ID"])


def _commit_failing_once_after(transport, monkeypatch):
    """The first COMMIT after the transport accepted a message fails, as a dropped connection
    would; the ones before (the claim, the "sending" mark) go through."""
    real_commit = db.session.commit
    failed = []

    def commit():
        if transport.sent and not failed:
            failed.append(True)
            db.session.rollback()
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    return failed


def test_the_worker_that_sent_a_message_records_it_when_the_database_is_back(
    database, monkeypatch, caplog
):
    message = queue_mail("ops@example.com", "Report", "body")
    db.session.commit()
    transport = Recorder()
    failed = _commit_failing_once_after(transport, monkeypatch)
    waits = []
    with caplog.at_level(logging.WARNING, logger="workflow.jobs"):
        result = jobs.run_due(
            jobs.JobRegistry([mail_kind(transport)]), wait_for_database=waits.append
        )
    assert failed and len(waits) == 1 and isinstance(waits[0], OperationalError)
    assert (result.done, result.retried, result.lost) == (1, 0, 0)
    assert "had its effect, but recording it as done failed" in caplog.text
    assert transport.sent == [message.message_id]  # once
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.sent and row.sent_at and row.delivery.attempts == 1


def test_a_message_whose_outcome_was_never_recorded_is_not_sent_again(
    app, database, monkeypatch, caplog
):
    message = queue_mail("ops@example.com", "Report", "body")
    other = queue_mail("ops@example.com", "Other", "body")
    db.session.commit()
    transport = Recorder()
    _commit_failing_once_after(transport, monkeypatch)
    with pytest.raises(OperationalError):
        send_due(transport, limit=1)  # a worker without retries: the failure reaches it
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.sending and row.sending_claim and row.sent_at is None
    assert send_due(transport).sent == 1  # the other message; this one's lease still holds
    # The worker died; its lease runs out and another worker claims the message.
    db.session.execute(update(Job).values(leased_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="workflow.mail"):
        result = send_due(transport)
    assert (result.sent, result.retried, result.failed) == (0, 0, 1)
    assert transport.sent == [message.message_id, other.message_id]  # not a second time
    assert f"mail #{message.id} {message.message_id} to ops@example.com may have been" in (
        caplog.text
    )
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.unconfirmed and row.delivery.status is JobStatus.failed
    runner = app.test_cli_runner()
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0, status.output
    assert "pending 0, sending 0, sent 1, failed 0, unconfirmed 1" in status.output
    assert f"unconfirmed #{message.id} {message.message_id} to ops@example.com" in status.output
    # Requeuing every failed message leaves it alone; naming it sends it once more.
    assert runner.invoke(args=["outbox", "requeue"]).output.strip() == "requeued 0"
    assert runner.invoke(args=["outbox", "requeue", str(message.id)]).output.strip() == (
        "requeued 1"
    )
    assert send_due(transport).sent == 1
    assert transport.sent == [message.message_id, other.message_id, message.message_id]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is OutboxStatus.sent


def test_a_refused_message_clears_its_mark_and_is_sent_on_the_next_attempt(database):
    class RefusingOnce(Recorder):
        refused = False

        def send(self, message):
            if not self.refused:
                self.refused = True
                raise smtplib.SMTPDataError(554, b"rejected for now")
            super().send(message)

    message = queue_mail("ops@example.com", "Report", "body")
    db.session.commit()
    transport = RefusingOnce()
    assert send_due(transport).retried == 1
    row = db.session.get(OutboxMessage, message.id)
    assert row.status is OutboxStatus.pending and row.sending_claim is None
    db.session.execute(update(Job).values(run_after=utcnow()))
    db.session.commit()
    assert send_due(transport).sent == 1 and transport.sent == [message.message_id]


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
