"""Deliver outbox messages as ``mail`` jobs: the job table keeps attempts, backoff and claims;
the outbox row keeps the message and its stable ``Message-ID``."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from workflow import jobs
from workflow.extensions import db
from workflow.mail.transports import Transport, transport_from_config
from workflow.models import Job, OutboxMessage
from workflow.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class DeliverMail:
    """Send the outbox message ``payload["message"]`` through the transport.

    Effect rule: outside the database, the message is delivered at least once, always with the
    outbox row's ``Message-ID``, so the receiving side can drop a repeat. Inside the database,
    ``sent_at`` is set once, committed together with marking the job done. A repeat is possible
    only when the database fails right after the transport accepted the message; the worker
    logs that case.
    """

    def __init__(self, transport: Transport | None = None):
        self._transport = transport

    def __call__(self, job: Job) -> None:
        row = db.session.get(OutboxMessage, job.payload["message"])
        if row is None:
            raise LookupError(f"outbox message {job.payload['message']} does not exist")
        row_id, message = row.id, build_message(row, _load_attachment(row))
        transport = self._transport or transport_from_config(current_app.config)
        with jobs.outside_transaction():
            transport.send(message)
        db.session.get(OutboxMessage, row_id).sent_at = utcnow()


def mail_kind(transport: Transport | None = None) -> jobs.JobKind:
    """The ``mail`` job kind; without a transport it uses the configured one at each send."""
    return jobs.JobKind("mail", DeliverMail(transport), max_attempts=MAX_ATTEMPTS)


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


def send_due(transport: Transport | None = None, *, limit: int = 50) -> DeliveryResult:
    """Run due mail jobs only (``flask outbox send``); ``flask worker`` runs every kind."""
    result = jobs.run_due(jobs.JobRegistry([mail_kind(transport)]), limit=limit)
    return DeliveryResult(sent=result.done, retried=result.retried, failed=result.failed)


def requeue_failed(message_ids: Collection[int] | None = None) -> int:
    """Put failed messages back in the queue with a fresh set of attempts."""
    job_ids = None
    if message_ids:
        job_ids = list(
            db.session.scalars(
                select(OutboxMessage.job_id).where(OutboxMessage.id.in_(list(message_ids)))
            )
        )
    return jobs.requeue(job_ids, kind="mail")
