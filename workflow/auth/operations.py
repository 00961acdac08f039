"""Accounts and users: creating them, finding them, and signing in."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import Account, AccountKind, Role, SignInFailure, User
from workflow.models.accounts import taobao_key
from workflow.models.base import utcnow
from workflow.operations import open_journey

#: Wrong passwords one address may send within ``ADDRESS_WINDOW``; past it, 429 until it passes.
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=1)
#: Wrong passwords for one e-mail from one address before each further try must wait; the wait
#: doubles with every failure up to ``MAX_DELAY``. Another address is not slowed, so an attacker
#: cannot lock the owner out.
FREE_TRIES = 5
MAX_DELAY = timedelta(minutes=5)
EMAIL_WINDOW = timedelta(minutes=15)


class TooManySignIns(DomainError):
    """Wrong passwords came too fast; ``retry_after`` says when to try again (seconds)."""

    status_code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    password: str | None,
    role: Role,
    *,
    account: Account | None = None,
    name: str = "",
) -> User:
    """A new user. Without a password nobody can sign in as them until they set one through a
    mailed link (an invitation)."""
    if find_user(email) is not None:
        raise DomainError(
            _l("A user with the e-mail %(email)s already exists.", email=normalise_email(email))
        )
    if role is Role.applicant and account is None:
        raise DomainError(_l("An applicant belongs to a developer account."))
    user = User(email=normalise_email(email), role=role, account=account, name=name)
    user.set_password(password if password is not None else secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def accounts_claiming(taobao_account_id: str) -> list[Account]:
    """Every account that claims this taobao account ID, the verified one (if any) first."""
    return list(
        db.session.scalars(
            select(Account)
            .where(Account.taobao_account_key == taobao_key(taobao_account_id))
            .order_by(Account.taobao_verified_at.is_(None), Account.id)
        )
    )


def find_account(taobao_account_id: str) -> Account | None:
    """The account that holds this taobao account ID verified, else the only one claiming it.

    Several unverified claims have no single answer: that is a domain error naming it.
    """
    claims = accounts_claiming(taobao_account_id)
    if not claims:
        return None
    if claims[0].is_taobao_verified or len(claims) == 1:
        return claims[0]
    raise DomainError(
        _l(
            "%(count)d developer accounts claim the taobao account ID %(taobao_id)s and a "
            "reviewer has verified none of them yet.",
            count=len(claims),
            taobao_id=taobao_account_id.strip(),
        )
    )


def register_applicant(
    email: str, password: str, kind: AccountKind, account_name: str, taobao_account_id: str
) -> User:
    """A new developer account that claims ``taobao_account_id``, its first user (whose address
    is not verified yet) and its first journey.

    The claim does not need to be unique: the ID becomes the account's when a reviewer
    approves the enablement, and only one account can hold it verified.
    """
    account = Account(
        kind=kind, name=account_name.strip(), taobao_account_id=taobao_account_id.strip()
    )
    db.session.add(account)
    user = create_user(email, password, Role.applicant, account=account)
    open_journey(account, user)
    return user


def mark_email_verified(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The user whose password this is, or None; a failure is counted against the address.

    The same work is done whether or not the e-mail belongs to anyone: a password hash is
    checked on both paths, so the answer's timing does not tell which addresses exist.
    """
    email, address = normalise_email(email), address[:64]
    now = utcnow()
    _refuse_if_too_fast(email, address, now)
    user = find_user(email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
    elif user.check_password(password) and user.is_active:
        db.session.execute(
            delete(SignInFailure).where(
                SignInFailure.email == email, SignInFailure.address == address
            )
        )
        return user
    db.session.add(SignInFailure(address=address, email=email, created_at=now))
    db.session.flush()
    return None


def _refuse_if_too_fast(email: str, address: str, now: datetime) -> None:
    recent = db.session.scalars(
        select(SignInFailure.created_at)
        .where(SignInFailure.address == address, SignInFailure.created_at > now - ADDRESS_WINDOW)
        .order_by(SignInFailure.created_at)
    ).all()
    if len(recent) >= ADDRESS_LIMIT:
        wait = recent[-ADDRESS_LIMIT] + ADDRESS_WINDOW - now
        raise _too_many(_l("Too many wrong passwords from your address."), wait)
    tries = db.session.execute(
        select(func.count(), func.max(SignInFailure.created_at)).where(
            SignInFailure.email == email,
            SignInFailure.address == address,
            SignInFailure.created_at > now - EMAIL_WINDOW,
        )
    ).one()
    count, last = tries
    if count >= FREE_TRIES and last is not None:
        if last.tzinfo is None:  # SQLite hands back naive UTC from an aggregate
            last = last.replace(tzinfo=now.tzinfo)
        delay = min(timedelta(seconds=2 ** (count - FREE_TRIES + 1)), MAX_DELAY)
        if now < last + delay:
            raise _too_many(_l("Several wrong passwords for this e-mail."), last + delay - now)


def _too_many(reason, wait: timedelta) -> TooManySignIns:
    seconds = max(1, math.ceil(wait.total_seconds()))
    message = _l(
        "%(reason)s Wait %(seconds)d seconds, then try again.", reason=reason, seconds=seconds
    )
    return TooManySignIns(message, seconds)


@cache
def _decoy_hash() -> str:
    """A hash of no one's password, checked when the e-mail is unknown."""
    return generate_password_hash(secrets.token_urlsafe(16))


def sign_out_everywhere(user: User) -> None:
    """Every session of ``user`` ends: their cookies carry the token this replaces."""
    user.rotate_session_token()
    db.session.flush()
