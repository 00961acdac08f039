"""What an admin does with users: invite them, send a reset link, switch their access.

Admins never choose or see anyone's password: an invitee sets theirs through the invitation,
and a user who lost access gets a mailed link to set a new one.
"""

from __future__ import annotations

from sqlalchemy import select

from workflow.auth import mails
from workflow.auth.operations import create_user, find_account
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import Role, User
from workflow.policy import Action, authorize


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def invite_user(
    actor: User | None, email: str, role: Role, *, name: str = "", taobao_account_id: str = ""
) -> User:
    """A user with the role (and, for an applicant, the account) the admin chose, who cannot
    sign in until they set a password through the mailed invitation.

    ``actor`` is ``None`` for the operator at the command line.
    """
    if actor is not None:
        authorize(actor, Action.add_user)
    account = None
    if role is Role.applicant:
        account = find_account(taobao_account_id.strip()) if taobao_account_id.strip() else None
        if account is None:
            raise DomainError(
                _l("An applicant needs the taobao account ID of an existing account.")
            )
    user = create_user(email, None, role, account=account, name=name.strip())
    mails.mail_invitation(user, actor)
    return user


def send_password_reset(admin: User, user_id: int) -> User:
    """Mail ``user_id`` a link to set a new password; their password stays until they do."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    authorize(admin, Action.send_password_reset, user)
    if not user.is_active:
        raise DomainError(_l("Switch sign-in on for %(email)s first.", email=user.email))
    mails.mail_password_reset(user, sent_by=admin)
    return user


def set_active(admin: User, user_id: int, active: bool) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    authorize(admin, Action.set_user_active, user)
    if user.id == admin.id and not active:
        raise DomainError(_l("You cannot switch off your own access."))
    user.is_active_user = active
    if not active:
        user.rotate_session_token()  # signed-in sessions end now, not at their next sign-in
    db.session.flush()
    return user
