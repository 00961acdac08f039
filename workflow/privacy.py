"""One person's data: exported on request, and erased on request without breaking the chain.

**Export** gathers what the desk holds about a user: their profile, their account, what they did
on journeys (events and their comments, messages, uploads), and the mail sent to them. Files are
listed by name and SHA-256; the packets and the downloads carry the files themselves.

**Erasure** removes what identifies the person and is not part of the signed record: their
address and name (the row keeps the SHA-256 of the address, so a later request from the same
address can be matched), their password and sessions, the contact details of enablement requests
that name their address, and the mail sent to them. Nothing the chain hashes changes, so
``flask audit verify`` still holds: events keep ``actor_id``, which now names an erased user,
and the comments and messages a person wrote in a journey's trail stay, as part of the record
the desk must keep (documents, packets and mail leave with their retention periods,
``workflow.retention``).

Like every operation, these flush and never commit.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    DocumentVersion,
    EnablementRequest,
    Event,
    Journey,
    OutboxMessage,
    Role,
    StageMessage,
    User,
)
from workflow.models.base import utcnow
from workflow.models.notifications import NotificationPreference, SentReminder
from workflow.notifications.preferences import notices_for
from workflow.policy import Action, authorize
from workflow.replay import plain

#: The domain erased users' placeholder addresses use: reserved, so no mail ever reaches it.
ERASED_DOMAIN = "erased.invalid"
_NO_PASSWORD = "!"
#: The enablement request's fields that describe the contact person.
_CONTACT_FIELDS = frozenset({"contact_name", "contact_email", "contact_phone"})


def email_sha256(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def _row(row: Any, *names: str) -> dict[str, Any]:
    return {name: plain(getattr(row, name)) for name in names}


def export_personal_data(actor: User, user_id: int) -> dict[str, Any]:
    """Everything the desk holds about ``user_id`` that names or was written by them."""
    user = _user(user_id)
    authorize(actor, Action.export_personal_data, user)
    account = user.account
    data: dict[str, Any] = {
        "exported_at": plain(utcnow()),
        "user": _row(user, "id", "email", "name", "role", "created_at", "email_verified_at")
        | {"can_sign_in": user.is_active, "erased_at": plain(user.erased_at)},
        "account": None,
        "journeys": [],
    }
    if account is not None:
        data["account"] = _row(account, "id", "name", "kind", "taobao_account_id")
        data["journeys"] = [
            _row(journey, "id", "state", "created_at", "state_changed_at")
            | {"title": str(journey.title)}
            for journey in db.session.scalars(
                select(Journey).where(Journey.account_id == account.id).order_by(Journey.id)
            )
        ]
    data["events"] = [
        _row(event, "id", "journey_id", "event", "from_state", "to_state", "created_at", "comment")
        | ({"internal_note": event.note} if event.note else {})
        for event in db.session.scalars(
            select(Event).where(Event.actor_id == user.id).order_by(Event.id)
        )
    ]
    data["messages"] = [
        _row(message, "id", "journey_id", "stage", "created_at", "body")
        for message in db.session.scalars(
            select(StageMessage).where(StageMessage.author_id == user.id).order_by(StageMessage.id)
        )
    ]
    data["uploads"] = [
        _row(version, "id", "journey_id", "kind", "version", "filename", "sha256", "uploaded_at")
        | {"file_kept": bool(version.file_id)}
        for version in db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.uploaded_by_id == user.id)
            .order_by(DocumentVersion.id)
        )
    ]
    data["contact_details"] = [
        _row(request, "journey_id", "contact_name", "contact_email", "contact_phone")
        for request in _requests_naming(user.email)
    ]
    # The switches as the person set them (every one on until turned off).
    data["notices"] = {notice.name: _switch(user, notice.name) for notice in notices_for(user)}
    data["reminders_sent"] = [
        _row(sent, "kind", "journey_id", "sent_at")
        for sent in db.session.scalars(
            select(SentReminder).where(SentReminder.user_id == user.id).order_by(SentReminder.id)
        )
    ]
    data["mail"] = [
        _row(mail, "id", "journey_id", "subject", "body", "created_at", "sent_at")
        for mail in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_addr == user.email)
            .order_by(OutboxMessage.id)
        )
    ]
    return data


def _switch(user: User, notice: str) -> bool:
    row = db.session.get(NotificationPreference, user.id)
    return True if row is None else getattr(row, notice)


def _requests_naming(email: str) -> list[EnablementRequest]:
    if not email:
        return []
    return list(
        db.session.scalars(
            select(EnablementRequest).where(EnablementRequest.contact_email == email)
        )
    )


def erase_personal_data(admin: User, user_id: int) -> User:
    """Erase what identifies ``user_id`` outside the signed record; they can no longer sign in."""
    user = _user(user_id)
    authorize(admin, Action.erase_personal_data, user)
    if user.id == admin.id:
        raise DomainError(_l("You cannot erase your own data: ask another admin."))
    if user.role is Role.system:
        raise DomainError(_l("The desk's own users hold no personal data."))
    if user.erased_at is not None:
        return user  # erased already: a second click changes nothing
    email, now = user.email, utcnow()
    for request in _requests_naming(email):
        request.contact_name, request.contact_email, request.contact_phone = "", "", ""
        # The snapshot taken at the last decision (what "changed since" compares with) too.
        request.decided_fields = {
            name: ("" if name in _CONTACT_FIELDS else value)
            for name, value in (request.decided_fields or {}).items()
        }
    for mail in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == email)):
        mail.purge(now)
    user.erased_email_sha256 = email_sha256(email)
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name = ""
    user.password_hash = _NO_PASSWORD
    user.is_active_user = False
    user.erased_at = now
    user.rotate_session_token()  # signs them out everywhere
    db.session.flush()
    return user
