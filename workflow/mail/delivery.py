"""Deliver due outbox rows: claim, send, record; retry with backoff; never send twice.

A row is claimed (status ``sending`` with a lease) and committed before it is sent, so a
second worker skips it. On PostgreSQL the claim uses ``FOR UPDATE SKIP LOCKED``; SQLite
serialises writers anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select

from workflow.extensions import db
from workflow.mail.transports import Transport
from workflow.models import OutboxMessage, OutboxStatus
from workflow.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: A worker that died while sending loses its claim after this long.
CLAIM_LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def claim_due(limit: int, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    due = or_(
        (OutboxMessage.status == OutboxStatus.pending) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.sending) & (OutboxMessage.next_attempt_at <= now),
    )
    stmt = (
        select(OutboxMessage)
        .where(due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(db.session.scalars(stmt))
    for row in rows:
        row.status = OutboxStatus.sending
        row.next_attempt_at = now + CLAIM_LEASE
    db.session.commit()
    return [row.id for row in rows]


def build_message(row: OutboxMessage, attachment: tuple[str, bytes] | None) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = row.message_id
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = row.to_addr
    message["Subject"] = row.subject
    message["Date"] = row.created_at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(row.body)
    if attachment:
        name, data = attachment
        maintype, _, subtype = _guess_type(name).partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def _guess_type(name: str) -> str:
    return "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"


def _load_attachment(row: OutboxMessage) -> tuple[str, bytes] | None:
    if not row.attachment_file_id:
        return None
    from workflow.storage_setup import get_storage

    with get_storage().open(row.attachment_file_id) as fh:
        return row.attachment_name or "attachment", fh.read()


def send_one(row_id: int, transport: Transport) -> str:
    row = db.session.get(OutboxMessage, row_id)
    if row is None or row.status is not OutboxStatus.sending:
        return "skipped"
    try:
        transport.send(build_message(row, _load_attachment(row)))
    except Exception as exc:  # any failure is recorded and retried; the row is not lost
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.failed
            outcome = "failed"
        else:
            row.status = OutboxStatus.pending
            row.next_attempt_at = utcnow() + backoff(row.attempts)
            outcome = "retried"
        log.warning("mail %s not delivered (attempt %s): %s", row.id, row.attempts, exc)
    else:
        row.attempts += 1
        row.status = OutboxStatus.sent
        row.sent_at = utcnow()
        row.last_error = ""
        outcome = "sent"
    db.session.commit()
    return outcome


def send_due(transport: Transport, *, limit: int = 50) -> DeliveryResult:
    result = DeliveryResult()
    for row_id in claim_due(limit):
        outcome = send_one(row_id, transport)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "retried":
            result.retried += 1
        elif outcome == "failed":
            result.failed += 1
    return result


def requeue_failed(message_ids: list[int] | None = None) -> int:
    """Put failed messages back in the queue with a fresh set of attempts."""
    stmt = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.failed)
    if message_ids:
        stmt = stmt.where(OutboxMessage.id.in_(message_ids))
    rows = list(db.session.scalars(stmt))
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = OutboxStatus.pending, 0, utcnow()
    db.session.flush()
    return len(rows)
