"""Deliver outbox messages as ``mail`` jobs: the job table keeps attempts, backoff and claims;
the outbox row keeps the message and its stable ``Message-ID``."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update

from workflow import jobs
from workflow.extensions import db
from workflow.jobs.faults import GiveUp
from workflow.mail.transports import Transport, transport_from_config
from workflow.models import Job, JobStatus, OutboxMessage
from workflow.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    #: Handed back unrun because the transport could not deliver anything just now.
    deferred: int = 0


class DeliverMail:
    """Send the outbox message ``payload["message"]`` through the transport.

    Effect rule: outside the database, the message is delivered at most once by the desk,
    always with the outbox row's ``Message-ID``. Before talking to SMTP the claim commits its
    mark on the row (``sending_claim``); when SMTP refuses, the mark is cleared again and the
    message is retried. Inside the database, ``sent_at`` is set once, committed together with
    marking the job done. If that commit fails after SMTP accepted the message, the same worker
    records it when the database is back; if the worker died meanwhile, the next claim finds
    another claim's mark and gives up instead of sending again: the message shows as
    ``unconfirmed`` in ``flask outbox status``, and the case is logged.
    """

    def __init__(self, transport: Transport | None = None):
        self._transport = transport
        #: (job id, claim token) of sends SMTP accepted whose outcome is not yet committed.
        self._accepted: OrderedDict[tuple[int, str], None] = OrderedDict()

    def __call__(self, job: Job) -> None:
        row = db.session.get(OutboxMessage, job.payload["message"])
        if row is None:
            raise LookupError(f"outbox message {job.payload['message']} does not exist")
        if row.purged_at is not None:
            return  # emptied before it went out (its recipient's data was erased): never sent
        claim = (job.id, job.claim_token or "")
        if row.sent_at is None and claim not in self._accepted:
            self._send_once(row, claim[1])
            self._remember(claim)
        db.session.get(OutboxMessage, row.id).sent_at = utcnow()

    def _send_once(self, row: OutboxMessage, token: str) -> None:
        if row.sending_claim not in (None, token):
            log.error(
                "mail #%s %s to %s may have been delivered: an earlier attempt reached SMTP at "
                "%s and its outcome was never recorded. It is not sent again; check the "
                "receiving server, then `flask outbox requeue %s` sends it anyway",
                row.id,
                row.message_id,
                row.to_addr,
                row.sending_at,
                row.id,
            )
            raise GiveUp(UNCONFIRMED)
        row_id, message = row.id, build_message(row, _load_attachment(row))
        transport = self._transport or transport_from_config(current_app.config)
        if not _mark_sending(row_id, token):
            raise LookupError(f"outbox message {row_id} was taken by another claim")
        db.session.commit()  # the mark is durable before anything reaches SMTP
        try:
            with jobs.outside_transaction():
                transport.send(message)
        except Exception:
            _clear_mark(row_id, token)  # refused, so it was not delivered: send it next time
            db.session.commit()
            raise

    def _remember(self, claim: tuple[int, str]) -> None:
        self._accepted[claim] = None
        while len(self._accepted) > 1000:  # only needed until the done mark commits
            self._accepted.popitem(last=False)


#: ``last_error`` of a message that may have been delivered without the desk knowing.
UNCONFIRMED = (
    "unconfirmed: an earlier attempt reached SMTP and its outcome was never recorded, so it is "
    "not sent again by itself"
)


def _mark_sending(row_id: int, token: str) -> bool:
    mine_or_free = or_(OutboxMessage.sending_claim.is_(None), OutboxMessage.sending_claim == token)
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.sent_at.is_(None), mine_or_free)
        .values(sending_claim=token, sending_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _clear_mark(row_id: int, token: str) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.sending_claim == token)
        .values(sending_claim=None, sending_at=None)
        .execution_options(synchronize_session=False)
    )


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
    return DeliveryResult(
        sent=result.done, retried=result.retried, failed=result.failed, deferred=result.deferred
    )


def requeue_failed(message_ids: Collection[int] | None = None) -> int:
    """Put failed messages back in the queue with a fresh set of attempts.

    Without ids, unconfirmed messages (SMTP may have them) stay where they are: each is sent
    again only when named, after someone checked that it never arrived.
    """
    query = select(OutboxMessage.id, OutboxMessage.job_id).join(Job, OutboxMessage.delivery)
    query = query.where(Job.status == JobStatus.failed)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(list(message_ids)))
    else:
        query = query.where(OutboxMessage.sending_claim.is_(None))
    rows = db.session.execute(query).all()
    if not rows:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([row_id for row_id, _ in rows]))
        .values(sending_claim=None, sending_at=None)
        .execution_options(synchronize_session=False)
    )
    return jobs.requeue([job_id for _, job_id in rows], kind="mail")
