"""The one door for state changes, and the lookups every area shares.

Operations flush and never commit: the request (or CLI command) commits once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from statemachine.exceptions import TransitionNotAllowed

from workflow import audit, roles
from workflow.chart import JourneyChart
from workflow.errors import ConcurrentChange, DomainError, EventNotAllowed, NotFound, NotPermitted
from workflow.extensions import db
from workflow.models import Account, Event, Journey, Role, User
from workflow.models.base import utcnow
from workflow.signals import journey_changed, preparing_event
from workflow.stages import event_label, state_name


def chart_for(journey: Journey) -> JourneyChart:
    return JourneyChart(model=journey)


def get_journey_for(user: User, journey_id: int, *, for_update: bool = False) -> Journey:
    """The journey if ``user`` may see it; another account's journey is simply not found."""
    journey = db.session.get(Journey, journey_id, with_for_update=for_update or None)
    if journey is None or not can_see(user, journey):
        raise NotFound("No such journey.")
    return journey


def can_see(user: User, journey: Journey) -> bool:
    return user.is_staff or (user.account_id is not None and user.account_id == journey.account_id)


def events_for(user: User, journey: Journey) -> list[str]:
    """The events this user could fire now, in the chart's declaration order."""
    enabled = {event.id for event in chart_for(journey).enabled_events()}
    return [
        e.id for e in JourneyChart.events if e.id in enabled and roles.may_fire(user.role, e.id)
    ]


def fire(
    journey: Journey,
    event: str,
    actor: User,
    *,
    comment: str = "",
    note: str = "",
    seen_version: int | None = None,
    **data,
) -> Event:
    """Check the actor, run the chart, and record the change in the hash-chained log."""
    if not can_see(actor, journey):
        raise NotFound("No such journey.")
    if not roles.may_fire(actor.role, event):
        raise NotPermitted(f"Your role cannot {event_label(event).lower()}.")
    if seen_version is not None and seen_version != journey.version_id:
        raise ConcurrentChange()
    comment, note = comment.strip(), note.strip()
    if event in roles.NEEDS_REASON and not comment:
        raise DomainError("Give the applicant a reason.")
    if actor.role is Role.applicant and note:
        raise NotPermitted("Only reviewers write internal notes.")
    from_state = journey.state
    try:
        # No autoflush: the version check must happen at our flush, where it is caught.
        with db.session.no_autoflush:
            chart_for(journey).send(event, actor=actor, **data)
            _after_transition(journey)
        db.session.flush()
    except TransitionNotAllowed:
        raise EventNotAllowed(
            f"“{event_label(event)}” is not possible while the journey is "
            f"“{state_name(from_state)}”."
        ) from None
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange() from None
    at = utcnow()
    prepared = [r for _, r in preparing_event.send(journey, actor=actor, at=at) if r is not None]
    try:
        row = audit.append_event(
            journey,
            actor,
            event,
            from_state,
            journey.state,
            comment=comment,
            note=note,
            at=at,
            packet_sha256=prepared[0].sha256 if prepared else None,
        )
        for item in prepared:
            item.finish(row)
    except BaseException:
        for item in prepared:
            item.discard()
        raise
    journey_changed.send(journey, event=row, actor=actor, data=data)
    return row


def bump_version(journey: Journey) -> None:
    """Move the journey's version on for a change that does not move the chart (a decision).

    The ``UPDATE`` sets the next version only where the row still has the one this request
    read, so a reviewer approving at the same moment on the strength of the old decisions gets
    a conflict instead of an approval the decisions no longer support.
    """
    journey.version_id = journey.version_id + 1
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange() from None


def _after_transition(journey: Journey) -> None:
    now = utcnow()
    journey.state_changed_at = now
    if journey.state == "released" and journey.released_at is None:
        journey.released_at = now
    if journey.state == "enabled" and journey.account.enabled_at is None:
        journey.account.enabled_at = now


def open_journey(account: Account, actor: User | None) -> Journey:
    """Start a journey: at enablement for a new account, at the APP draft once enabled."""
    state = "app_draft" if account.is_enabled else "enablement_draft"
    journey = Journey(account=account, state=state, state_changed_at=utcnow())
    db.session.add(journey)
    db.session.flush()
    audit.append_event(journey, actor, "open", "", state)
    return journey


def journeys_of(account: Account) -> Iterable[Journey]:
    return db.session.scalars(
        select(Journey).where(Journey.account_id == account.id).order_by(Journey.id)
    )
