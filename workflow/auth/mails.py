"""The mail an account's owner receives: links to confirm, reset, accept; warnings.

Every message goes through the outbox in the caller's transaction. Bodies name the desk's
public address (``PUBLIC_BASE_URL``), since some of them are queued outside any request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app

from workflow.auth.tokens import issue_token, lifetime
from workflow.i18n import _, _l, ngettext
from workflow.mail.language import written_for
from workflow.mail.outbox import queue_mail
from workflow.models import Role, TokenPurpose, User

#: Every account mail's subject starts with it, in the reader's language.
SUBJECT_PREFIX = _l("[TOP onboarding]")

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
        return ngettext("%(num)d day", "%(num)d days", days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _send(user: User, subject: str, lines: list[str]) -> None:
    queue_mail(user.email, f"{SUBJECT_PREFIX} {subject}", "\n".join(lines) + "\n")


def mail_verification(user: User) -> None:
    with written_for(user):
        _send(
            user,
            _("Confirm your e-mail address"),
            [
                _(
                    "A developer account was registered at the TOP Onboarding Desk with this "
                    "address."
                ),
                "",
                _("Confirm the address by opening this link:"),
                link_for(user, TokenPurpose.verify_email),
                "",
                _(
                    "The link works once, for %(period)s. Until the address is confirmed you "
                    "can sign in and read, but not submit anything.",
                    period=_how_long(TokenPurpose.verify_email),
                ),
                "",
                _(
                    "If you did not register, ignore this message: nothing happens without "
                    "the link."
                ),
            ],
        )


def mail_registration_attempt(user: User) -> None:
    """Tell the owner of an address that already has an account that someone registered it."""
    with written_for(user):
        lines = [
            _(
                "Someone tried to register a new developer account at the TOP Onboarding Desk "
                "with this address. It already has an account there, so nothing was created or "
                "changed."
            ),
            "",
            _("If it was you, sign in instead:"),
            desk_url("/login"),
            _("Forgotten your password? Ask for a new one here:"),
            desk_url("/password/forgot"),
        ]
        if not user.is_email_verified:
            lines += [
                "",
                _("Your address is not confirmed yet. Confirm it with this link:"),
                link_for(user, TokenPurpose.verify_email),
            ]
        lines += ["", _("If it was not you, you need do nothing.")]
        _send(user, _("Someone tried to register with your address"), lines)


def mail_password_reset(user: User, *, sent_by: User | None = None) -> None:
    with written_for(user):
        why = (
            _(
                "%(admin)s, an admin of the TOP Onboarding Desk, sent you a link to set a new "
                "password.",
                admin=sent_by.display_name,
            )
            if sent_by is not None
            else _(
                "Someone, hopefully you, asked to reset the password of your account at the "
                "TOP Onboarding Desk."
            )
        )
        _send(
            user,
            _("Set a new password"),
            [
                why,
                "",
                _("Choose a new password here:"),
                link_for(user, TokenPurpose.reset_password),
                "",
                _(
                    "The link works once, for %(period)s. Setting a new password signs out "
                    "every session of your account.",
                    period=_how_long(TokenPurpose.reset_password),
                ),
                "",
                _(
                    "If you did not ask for this, ignore this message: your password stays as "
                    "it is."
                ),
            ],
        )


#: What an invited staff member becomes, by role.
_ROLES = {
    Role.reviewer: _l("a reviewer"),
    Role.admin: _l("an admin"),
    Role.applicant: _l("an applicant"),
}


def mail_invitation(user: User, invited_by: User | None) -> None:
    with written_for(user):
        where = (
            _(
                "an applicant of the developer account %(account)s (taobao account ID "
                "%(taobao_id)s)",
                account=user.account.name,
                taobao_id=user.account.taobao_account_id,
            )
            if user.role is Role.applicant and user.account is not None
            else str(_ROLES.get(user.role, user.role.value))
        )
        _send(
            user,
            _("You are invited to the TOP Onboarding Desk"),
            [
                _(
                    "%(inviter)s invited you to the TOP Onboarding Desk as %(role)s.",
                    inviter=invited_by.display_name if invited_by else _("The desk operator"),
                    role=where,
                ),
                "",
                _("Choose your password here to accept:"),
                link_for(user, TokenPurpose.invitation),
                "",
                _(
                    "The link works once, for %(period)s.",
                    period=_how_long(TokenPurpose.invitation),
                ),
            ],
        )
