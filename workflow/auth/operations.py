"""Accounts and users: registration and creation by an admin."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import Account, AccountKind, Role, User
from workflow.operations import open_journey


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str, password: str, role: Role, *, account: Account | None = None, name: str = ""
) -> User:
    if find_user(email) is not None:
        raise DomainError(f"A user with the e-mail {normalise_email(email)} already exists.")
    if role is Role.applicant and account is None:
        raise DomainError("An applicant belongs to a developer account.")
    user = User(email=normalise_email(email), role=role, account=account, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_account(taobao_account_id: str) -> Account | None:
    return db.session.scalar(
        select(Account).where(func.lower(Account.taobao_account_id) == taobao_account_id.lower())
    )


def register_applicant(
    email: str, password: str, kind: AccountKind, account_name: str, taobao_account_id: str
) -> User:
    """Self-registration: a new developer account, its first user and its first journey."""
    taobao_account_id = taobao_account_id.strip()
    if find_account(taobao_account_id) is not None:
        # Joining an existing account needs its admin; anyone could claim an ID otherwise.
        raise DomainError(
            "This taobao account ID is already registered. Ask the desk's admin to add you "
            "to that account."
        )
    account = Account(kind=kind, name=account_name.strip(), taobao_account_id=taobao_account_id)
    db.session.add(account)
    user = create_user(email, password, Role.applicant, account=account)
    open_journey(account, user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user
