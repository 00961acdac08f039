"""Reviewer workspace verbs: claim and assign queue items."""

from __future__ import annotations

from sqlalchemy import select

from workflow.decisions import decide
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import DecisionKind, Journey, User
from workflow.policy import Action, authorize
from workflow.signals import journey_assigned


def assign_journey(journey: Journey, actor: User, assignee: User | None) -> None:
    """Give the item to a reviewer (or to nobody); claiming is assigning to oneself."""
    authorize(actor, Action.assign_journey, journey)
    if assignee is not None and not assignee.is_staff:
        raise DomainError(_l("Items can only be assigned to reviewers."))
    journey.assignee = assignee
    claimed = assignee is not None and assignee.id == actor.id
    decide(journey, actor, DecisionKind.assigned, [journey], {"claimed": claimed})
    journey_assigned.send(journey, actor=actor, assignee=assignee)


def reviewers() -> list[User]:
    from workflow.models import Role

    stmt = select(User).where(User.role.in_((Role.reviewer, Role.admin)), User.is_active_user)
    return list(db.session.scalars(stmt.order_by(User.email)))
