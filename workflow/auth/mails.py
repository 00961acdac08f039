"""The mail an account's owner receives: links to confirm, reset, accept; warnings.

Every message goes through the outbox in the caller's transaction. Bodies name the desk's
public address (``PUBLIC_BASE_URL``), since some of them are queued outside any request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app

from workflow.auth.tokens import issue_token, lifetime
from workflow.mail.outbox import queue_mail
from workflow.models import Role, TokenPurpose, User

SUBJECT_PREFIX = "[TOP onboarding]"

#: Where each kind of link lands; the token rides in the query string, which the access log
#: leaves out (``gunicorn.conf.py``).
LINK_PATHS = {
    TokenPurpose.verify_email: "/account/verify",
    TokenPurpose.reset_password: "/password/reset",
    TokenPurpose.invitation: "/invitation",
}


def desk_url(path: str, **query: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def link_for(user: User, purpose: TokenPurpose) -> str:
    return desk_url(LINK_PATHS[purpose], token=issue_token(user, purpose))


def _how_long(purpose: TokenPurpose) -> str:
    minutes = int(lifetime(purpose).total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


def _send(user: User, subject: str, lines: list[str]) -> None:
    queue_mail(user.email, f"{SUBJECT_PREFIX} {subject}", "\n".join(lines) + "\n")


def mail_verification(user: User) -> None:
    _send(
        user,
        "Confirm your e-mail address",
        [
            "A developer account was registered at the TOP Onboarding Desk with this address.",
            "",
            "Confirm the address by opening this link:",
            link_for(user, TokenPurpose.verify_email),
            "",
            f"The link works once, for {_how_long(TokenPurpose.verify_email)}. Until the "
            "address is confirmed you can sign in and read, but not submit anything.",
            "",
            "If you did not register, ignore this message: nothing happens without the link.",
        ],
    )


def mail_registration_attempt(user: User) -> None:
    """Tell the owner of an address that already has an account that someone registered it."""
    lines = [
        "Someone tried to register a new developer account at the TOP Onboarding Desk with "
        "this address. It already has an account there, so nothing was created or changed.",
        "",
        "If it was you, sign in instead:",
        desk_url("/login"),
        "Forgotten your password? Ask for a new one here:",
        desk_url("/password/forgot"),
    ]
    if not user.is_email_verified:
        lines += [
            "",
            "Your address is not confirmed yet. Confirm it with this link:",
            link_for(user, TokenPurpose.verify_email),
        ]
    lines += ["", "If it was not you, you need do nothing."]
    _send(user, "Someone tried to register with your address", lines)


def mail_password_reset(user: User, *, sent_by: User | None = None) -> None:
    why = (
        f"{sent_by.display_name}, an admin of the TOP Onboarding Desk, sent you a link to set "
        "a new password."
        if sent_by is not None
        else "Someone, hopefully you, asked to reset the password of your account at the "
        "TOP Onboarding Desk."
    )
    _send(
        user,
        "Set a new password",
        [
            why,
            "",
            "Choose a new password here:",
            link_for(user, TokenPurpose.reset_password),
            "",
            f"The link works once, for {_how_long(TokenPurpose.reset_password)}. Setting a new "
            "password signs out every session of your account.",
            "",
            "If you did not ask for this, ignore this message: your password stays as it is.",
        ],
    )


def mail_invitation(user: User, invited_by: User | None) -> None:
    where = (
        f"an applicant of the developer account {user.account.name} "
        f"(taobao account ID {user.account.taobao_account_id})"
        if user.role is Role.applicant and user.account is not None
        else f"{'an' if user.role is Role.admin else 'a'} {user.role.value}"
    )
    _send(
        user,
        "You are invited to the TOP Onboarding Desk",
        [
            f"{invited_by.display_name if invited_by else 'The desk operator'} invited you to "
            f"the TOP Onboarding Desk as {where}.",
            "",
            "Choose your password here to accept:",
            link_for(user, TokenPurpose.invitation),
            "",
            f"The link works once, for {_how_long(TokenPurpose.invitation)}.",
        ],
    )
