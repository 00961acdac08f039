"""What an admin does with users: add them, and switch their access off or on."""

from __future__ import annotations

from sqlalchemy import select

from workflow.auth.operations import create_user, find_account
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.models import Role, User
from workflow.policy import Action, authorize


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def add_user(
    actor: User, email: str, password: str, role: Role, *, name: str, taobao_account_id: str
) -> User:
    authorize(actor, Action.add_user)
    account = None
    if role is Role.applicant:
        account = find_account(taobao_account_id.strip()) if taobao_account_id.strip() else None
        if account is None:
            raise DomainError("An applicant needs the taobao account ID of an existing account.")
    return create_user(email, password, role, account=account, name=name.strip())


def set_active(admin: User, user_id: int, active: bool) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    authorize(admin, Action.set_user_active, user)
    if user.id == admin.id and not active:
        raise DomainError("You cannot switch off your own access.")
    user.is_active_user = active
    if not active:
        user.rotate_session_token()  # signed-in sessions end now, not at their next sign-in
    db.session.flush()
    return user
