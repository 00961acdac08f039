"""Developer accounts and the people who use the desk."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow


class AccountKind(enum.StrEnum):
    #: A Tmall Global seller enabling its own seller account as a developer account.
    seller = "seller"
    #: A software vendor serving Tmall Global sellers; enabled with documents a–f.
    isv = "isv"


class Role(enum.StrEnum):
    applicant = "applicant"
    reviewer = "reviewer"
    admin = "admin"
    #: The desk itself, recording a decision one of its rules makes (``workflow.rules``).
    #: No one signs in as it, and it may do nothing but apply its rule.
    system = "system"


#: The roles people have; the system role is no one's.
PEOPLE_ROLES = (Role.applicant, Role.reviewer, Role.admin)


class Account(db.Model):
    """A developer account: one taobao account, shared by its users."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=16))
    #: Company name for an ISV, shop name for a seller. May hold CJK characters.
    name: Mapped[str] = mapped_column(String(200))
    #: The taobao account ID that identifies the developer account.
    taobao_account_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when a reviewer approves enablement; a second APP skips stage 1.
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    users: Mapped[list[User]] = relationship(back_populates="account")

    @property
    def is_enabled(self) -> bool:
        return self.enabled_at is not None


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    is_active_user: Mapped[bool] = mapped_column(default=True)
    #: Part of every session cookie; rotating it signs out every session of this user
    #: (logout, a password change, an admin switching sign-in off).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: new_session_token())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    account: Mapped[Account | None] = relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.rotate_session_token()

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def get_id(self) -> str:  # Flask-Login keeps this in the session cookie
        return f"{self.id}:{self.session_token}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_active_user

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.reviewer, Role.admin)

    @property
    def display_name(self) -> str:
        return self.name or self.email


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class SignInFailure(db.Model):
    """One wrong password, counted in the database so every worker and instance sees it."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The client address as the desk sees it (behind a proxy, what the proxy forwarded).
    address: Mapped[str] = mapped_column(String(64), index=True)
    #: The normalised e-mail tried, whether or not a user has it, so delays reveal nothing.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
