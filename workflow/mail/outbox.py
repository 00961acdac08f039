"""Queue mail in the caller's transaction; a ``mail`` job delivers it later (``flask worker``)."""

from __future__ import annotations

import uuid

from flask import current_app

from workflow.extensions import db
from workflow.jobs import enqueue
from workflow.models import OutboxMessage


def queue_mail(
    to_addr: str,
    subject: str,
    body: str,
    *,
    journey_id: int | None = None,
    attachment_file_id: str | None = None,
    attachment_name: str | None = None,
) -> OutboxMessage:
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "onboarding-desk"
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        journey_id=journey_id,
        to_addr=to_addr,
        subject=subject,
        body=body,
        attachment_file_id=attachment_file_id,
        attachment_name=attachment_name,
    )
    db.session.add(message)
    db.session.flush()
    message.delivery = enqueue("mail", {"message": message.id}, dedupe_key=f"mail:{message.id}")
    db.session.flush()
    return message
