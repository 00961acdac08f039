"""Queue mail in the caller's transaction; a ``mail`` job delivers it later (``flask worker``)."""

from __future__ import annotations

import re
import uuid

from flask import current_app

from workflow.extensions import db
from workflow.jobs import enqueue
from workflow.models import OutboxMessage

#: Line breaks and other control characters, which end a header line or make the message
#: unsendable; user data (a company name, a file name) reaches headers through the subject.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
SUBJECT_LIMIT = 300


def header_text(value: str, limit: int = SUBJECT_LIMIT) -> str:
    """``value`` fit for one header line: control characters become one space, and it is cut
    to ``limit`` characters."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


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
        to_addr=header_text(to_addr, 254),
        subject=header_text(subject),
        body=body,
        attachment_file_id=attachment_file_id,
        attachment_name=header_text(attachment_name, 200) if attachment_name else None,
    )
    db.session.add(message)
    db.session.flush()
    message.delivery = enqueue("mail", {"message": message.id}, dedupe_key=f"mail:{message.id}")
    db.session.flush()
    return message
