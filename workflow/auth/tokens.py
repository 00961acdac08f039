"""Mailed single-use links: issue one, look one up, use one.

The link carries a random token; the database keeps only its SHA-256, so a copy of the table
opens nothing. A token works once, until it expires (a setting per purpose), and only while it
is the newest of its purpose for that user: a fresh mail replaces the links mailed before.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import AccountToken, TokenPurpose, User
from workflow.models.base import utcnow

#: Longer strings are no token the desk issued; they are refused before any hashing.
TOKEN_MAX_LENGTH = 100


class InvalidLink(DomainError):
    """The link is unknown, expired, used already, or replaced by a newer one."""

    def __init__(self):
        super().__init__(
            _l("This link has expired or has already been used. Ask for a new one below.")
        )


def lifetime(purpose: TokenPurpose) -> timedelta:
    config = current_app.config
    if purpose is TokenPurpose.verify_email:
        return timedelta(hours=config["EMAIL_VERIFICATION_HOURS"])
    if purpose is TokenPurpose.reset_password:
        return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])
    return timedelta(days=config["INVITATION_DAYS"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, purpose: TokenPurpose) -> str:
    """A new link token for ``user``; earlier unused ones of the same purpose stop working."""
    now = utcnow()
    db.session.flush()  # a user created just now gets its id
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            purpose=purpose,
            user_id=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + lifetime(purpose),
        )
    )
    db.session.flush()
    return token


def find_token(token: str | None, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token row of ``purpose`` for ``token``, without using it."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_digest(token),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
    )


def use_token(token: str | None, purpose: TokenPurpose) -> User:
    """The user the link is for; the link is spent. Raises :class:`InvalidLink`.

    The ``UPDATE … WHERE used_at IS NULL`` is what makes it single use: of two requests with
    the same link, only one changes the row.
    """
    row = find_token(token, purpose)
    if row is None:
        raise InvalidLink()
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise InvalidLink()
    db.session.expire(row)
    return row.user
