"""Personal API tokens and the stored answers of idempotent API requests."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.models.accounts import User
from workflow.models.base import UTCDateTime, utcnow

#: What every token starts with, so a leaked one is recognised (and secret scanners find it).
TOKEN_MARK = "tod_"
#: How many characters of the token the settings page shows to tell tokens apart.
PREFIX_LENGTH = 12


def token_digest(token: str) -> str:
    """The SHA-256 the row keeps; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A user's personal token for ``/api/v1``: named, scoped, expiring, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: "read", "write" or "read write".
    scopes: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, shown on the settings page; too short to be used.
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class IdempotentResponse(db.Model):
    """The answer an API write gave under an ``Idempotency-Key``: a retry gets it again."""

    __tablename__ = "api_idempotent_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    #: What was asked: the method and path, and the SHA-256 of the body.
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(Text)
    #: The ETag the answer carried, if any.
    etag: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_api_idempotent_responses_user_id_key"),
        Index("ix_api_idempotent_responses_created_at", "created_at"),
    )
