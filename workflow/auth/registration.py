"""Sign-up with a verified address, and getting back in by a mailed link.

Registration and the forgotten-password form answer the same whatever exists: what differs is
only the mail, and mail reaches only the owner of the address. Both do the same expensive work
(one password hash) on every path, so their timing does not tell either.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from workflow.auth import mails
from workflow.auth.operations import (
    find_user,
    mark_email_verified,
    normalise_email,
    register_applicant,
)
from workflow.auth.tokens import use_token
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import AccountKind, TokenPurpose, User
from workflow.policy import Action, authorize


def register(
    email: str, password: str, kind: AccountKind, account_name: str, taobao_account_id: str
) -> None:
    """Register a developer account, or tell the address's owner that someone tried.

    A new user must confirm the address (mailed link) before they can submit anything.
    """
    existing = find_user(email)
    if existing is None:
        try:
            with db.session.begin_nested():
                user = register_applicant(email, password, kind, account_name, taobao_account_id)
        except IntegrityError:  # registered by a request that committed a moment ago
            existing = find_user(email)
            if existing is None:
                raise
        else:
            mails.mail_verification(user)
            return
    generate_password_hash(password)  # the work a new registration does, thrown away
    mails.mail_registration_attempt(existing)


def resend_verification(user: User) -> bool:
    """Mail ``user`` a fresh confirmation link; ``False`` when the address is confirmed."""
    authorize(user, Action.resend_verification)
    if user.is_email_verified:
        return False
    mails.mail_verification(user)
    return True


def verify_email(token: str | None) -> User:
    user = use_token(token, TokenPurpose.verify_email)
    mark_email_verified(user)
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link to the owner of ``email``, if there is one who may sign in."""
    user = find_user(normalise_email(email))
    if user is not None and user.is_active:
        mails.mail_password_reset(user)


def reset_password(token: str | None, password: str) -> User:
    """Set the password of the link's user; every session of theirs ends.

    Opening the mailed link proves the address too, so it counts as verified.
    """
    return _set_password_by_link(token, TokenPurpose.reset_password, password)


def accept_invitation(token: str | None, password: str, name: str = "") -> User:
    user = _set_password_by_link(token, TokenPurpose.invitation, password)
    if name.strip():
        user.name = name.strip()
    db.session.flush()
    return user


def _set_password_by_link(token: str | None, purpose: TokenPurpose, password: str) -> User:
    user = use_token(token, purpose)
    if not user.is_active:
        raise DomainError(_l("Your access to the desk is switched off. Ask the desk's admin."))
    user.set_password(password)  # rotates the session token: every session is signed out
    mark_email_verified(user)
    return user
