"""Developer accounts and the people who use the desk."""

from __future__ import annotations

import enum
import secrets
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.extensions import db
from workflow.i18n import _l
from workflow.models.base import UTCDateTime, utcnow


class AccountKind(enum.StrEnum):
    """The developer types of the guide's §1.1: a seller, an ISV or a TP."""

    #: A Tmall Global seller enabling its own seller account as a developer account.
    seller = "seller"
    #: An independent software vendor serving Tmall Global sellers; enabled with documents a–f.
    isv = "isv"
    #: A Taobao Partner: an agent that runs the taobao business for merchants. The guide gives
    #: it no path of its own, so it takes the ISV's (documents a–f).
    tp = "tp"

    @property
    def takes_isv_path(self) -> bool:
        """Enabled with the taobao account ID and documents a–f, not a seller's request."""
        return self is not AccountKind.seller

    @property
    def label(self) -> str:
        return ACCOUNT_KIND_LABELS[self]


ACCOUNT_KIND_LABELS = {
    AccountKind.seller: _l("Tmall Global seller"),
    AccountKind.isv: _l("ISV (independent software vendor)"),
    AccountKind.tp: _l("TP (Taobao Partner)"),
}

#: The database refuses any other kind (migration 0014).
ACCOUNT_KIND_CHECK = "kind IN ({})".format(", ".join(f"'{k.value}'" for k in AccountKind))


class Role(enum.StrEnum):
    applicant = "applicant"
    reviewer = "reviewer"
    admin = "admin"
    #: The desk itself, recording a decision one of its rules makes (``workflow.rules``).
    #: No one signs in as it, and it may do nothing but apply its rule.
    system = "system"


#: The roles people have; the system role is no one's.
PEOPLE_ROLES = (Role.applicant, Role.reviewer, Role.admin)


#: Only one account may hold a taobao account ID verified; any number may claim it before.
VERIFIED_TAOBAO_ID = "taobao_verified_at IS NOT NULL"


class Account(db.Model):
    """A developer account: one taobao account, shared by its users.

    Registering *claims* the taobao account ID; it becomes the account's, verified, when a
    reviewer approves the enablement. Claims that were never verified (or were rejected) lock
    no one out: the ID is unique among verified accounts only.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        Index(
            "uq_accounts_verified_taobao_account_key",
            "taobao_account_key",
            unique=True,
            sqlite_where=text(VERIFIED_TAOBAO_ID),
            postgresql_where=text(VERIFIED_TAOBAO_ID),
        ),
        CheckConstraint(ACCOUNT_KIND_CHECK, name="kind"),  # ck_accounts_kind by convention
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=16))
    #: Company name for an ISV, shop name for a seller. May hold CJK characters.
    name: Mapped[str] = mapped_column(String(200))
    #: The taobao account ID that identifies the developer account, as the applicant typed it.
    taobao_account_id: Mapped[str] = mapped_column(String(64))
    #: The ID compared for sameness (:func:`taobao_key`); kept in step by ``_keep_key``, and
    #: derived at insert time for rows inserted in bulk.
    taobao_account_key: Mapped[str] = mapped_column(
        String(256), index=True, default=lambda ctx: _key_of_insert(ctx)
    )
    #: Set when a reviewer approves enablement: from then on the ID is this account's alone.
    taobao_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when a reviewer approves enablement; a second APP skips stage 1.
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    users: Mapped[list[User]] = relationship(back_populates="account")

    @validates("taobao_account_id")
    def _keep_key(self, _key: str, value: str) -> str:
        self.taobao_account_key = taobao_key(value)
        return value

    @property
    def is_enabled(self) -> bool:
        return self.enabled_at is not None

    @property
    def is_taobao_verified(self) -> bool:
        return self.taobao_verified_at is not None

    @property
    def takes_isv_path(self) -> bool:
        return self.kind.takes_isv_path


def _key_of_insert(context) -> str:
    return taobao_key(context.get_current_parameters()["taobao_account_id"])


def taobao_key(taobao_account_id: str) -> str:
    """What makes two taobao account IDs the same one: compatibility forms and case folded,
    invisible format characters (zero-width spaces, bidi marks) dropped."""
    folded = unicodedata.normalize("NFKC", taobao_account_id).strip().casefold()
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")[:256]


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
    #: Set when the user opened a link mailed to ``email`` (verification, invitation, reset).
    #: Until then they may read and sign in, but submit nothing.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when an admin erased the person's data on request (``workflow.privacy``); the
    #: address is then a placeholder, and this is the SHA-256 of the one it replaced.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_email_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The language the person reads the desk in (``workflow.i18n.LANGUAGES``); None until they
    #: choose one, and then the browser's decides.
    language: Mapped[str | None] = mapped_column(String(16))
    #: An IANA zone (``Asia/Shanghai``); None until set, and then the role's default applies.
    time_zone: Mapped[str | None] = mapped_column(String(64))

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
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

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


class TokenPurpose(enum.StrEnum):
    """What a mailed link lets its holder do, once."""

    #: Confirms the address given at registration.
    verify_email = "verify_email"
    #: Sets a new password (forgotten, or sent by an admin to a user who lost access).
    reset_password = "reset_password"
    #: Sets the first password of a user an admin invited.
    invitation = "invitation"


class AccountToken(db.Model):
    """A mailed link's token. Only its SHA-256 is kept, so the table cannot be read for links."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(Enum(TokenPurpose, native_enum=False, length=16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when the link is used, or when a newer link of the same purpose replaces it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
