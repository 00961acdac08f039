"""Which notices each person gets: one switch per kind, every one on until they turn it off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import NotificationPreference, User
from workflow.policy import Action, authorize


@dataclass(frozen=True)
class Notice:
    name: str
    label: str  # a lazy string: read in the reader's language
    #: Who it is for: applicants, or staff (reviewers and admins).
    for_staff: bool


NOTICES: tuple[Notice, ...] = (
    Notice("receipt", _l("A receipt, with its packet, for each of my submissions"), False),
    Notice("reminder", _l("A reminder when a draft or requested changes wait on me"), False),
    Notice("assignment", _l("A mail when an item is assigned to me"), True),
    Notice("digest", _l("A daily digest of my open items, overdue ones first"), True),
    Notice("escalation", _l("Overdue items (assignees first, then admins)"), True),
)
NOTICE_NAMES = frozenset(n.name for n in NOTICES)


def notices_for(user: User) -> tuple[Notice, ...]:
    """The notices that reach ``user``'s role; the others never would."""
    return tuple(n for n in NOTICES if n.for_staff == user.is_staff)


def _check(notice: str) -> None:
    if notice not in NOTICE_NAMES:
        raise ValueError(f"no notice {notice!r}")


def wants(user: User, notice: str) -> bool:
    """Whether ``user`` (active) gets ``notice``: yes unless they turned it off."""
    _check(notice)
    if not user.is_active:
        return False
    row = db.session.get(NotificationPreference, user.id)
    return True if row is None else getattr(row, notice)


def who_wants(users: Iterable[User], notice: str) -> list[User]:
    """The active ``users`` who get ``notice``, in the order given; one query for them all."""
    _check(notice)
    users = [u for u in users if u.is_active]
    if not users:
        return []
    rows = db.session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.user_id.in_([u.id for u in users])
        )
    )
    off = {row.user_id for row in rows if not getattr(row, notice)}
    return [u for u in users if u.id not in off]


def preferences_of(user: User) -> dict[str, bool]:
    """Each notice of the user's role, with whether it is on."""
    row = db.session.get(NotificationPreference, user.id)
    return {n.name: True if row is None else getattr(row, n.name) for n in notices_for(user)}


def set_preferences(user: User, choices: Mapping[str, bool]) -> None:
    """Keep ``user``'s choices (flush, never commit). Notices of another role are refused."""
    authorize(user, Action.use_desk)
    mine = {n.name for n in notices_for(user)}
    unknown = set(choices) - mine
    if unknown:
        raise ValueError(f"notices {sorted(unknown)} do not reach this user")
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    for name, on in choices.items():
        setattr(row, name, bool(on))
    db.session.flush()
