"""Personal API tokens: create one (shown once), list them, revoke one, authenticate with one.

A token is ``tod_`` and 43 random URL-safe characters. The row keeps its SHA-256 and its first
twelve characters (to tell tokens apart on the settings page), never the token, so a copy of
the table opens nothing. A token works until it expires or is revoked, and only on
``/api/v1``; its scopes say whether it may read, write, or both.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import ApiToken, User
from workflow.models.api import PREFIX_LENGTH, TOKEN_MARK, token_digest
from workflow.models.base import utcnow
from workflow.policy import Action, authorize

SCOPES = ("read", "write")
#: The lifetimes a token may be given, in days; the form offers these.
LIFETIMES = (7, 30, 90, 365)
#: Longer strings are no token the desk issued; they are refused before any hashing.
TOKEN_MAX_LENGTH = 100
#: A token's last use is written at most this often: reads do not each cost a write.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class TokenRefused(DomainError):
    """No usable token: missing, unknown, expired or revoked. Always the same words."""

    status_code = 401

    def __init__(self, message=None):
        super().__init__(
            message or _l("Send a valid personal API token: Authorization: Bearer <token>.")
        )


def create_token(user: User, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never seen again."""
    authorize(user, Action.use_desk)
    wanted = sorted(set(scopes), key=SCOPES.index)
    if not wanted or any(scope not in SCOPES for scope in wanted):
        raise DomainError(_l("Choose what the token may do: read, write, or both."))
    if days not in LIFETIMES:
        raise DomainError(_l("Choose how long the token works."))
    name = name.strip()
    if not name:
        raise DomainError(_l("Give the token a name."))
    token = TOKEN_MARK + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name,
        scopes=" ".join(wanted),
        token_hash=token_digest(token),
        prefix=token[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones too (marked as such)."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Stop one of the user's own tokens from working, at once and for good."""
    authorize(user, Action.use_desk)
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_l("No such token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
    return row


def authenticate(header: str | None, now: datetime | None = None) -> ApiToken:
    """The token an ``Authorization: Bearer`` header names, if it may be used now."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX_LENGTH:
        raise TokenRefused()
    if not token.isascii() or not token.startswith(TOKEN_MARK):
        raise TokenRefused()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    now = now or utcnow()
    if row is None:
        raise TokenRefused()
    if row.revoked_at is not None:
        raise TokenRefused(_l("This API token was revoked."))
    if row.expires_at <= now:
        raise TokenRefused(_l("This API token has expired."))
    if not row.user.is_active:
        raise TokenRefused(_l("Your access to the desk is switched off."))
    return row


def note_use(row: ApiToken, now: datetime | None = None) -> None:
    """Record the token's last use (at most once a minute), committed with the request."""
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_RESOLUTION:
        row.last_used_at = now
