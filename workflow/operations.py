"""The one door for state changes, and the lookups every area shares.

Operations flush and never commit: the request (or CLI command) commits once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from statemachine.exceptions import TransitionNotAllowed

from workflow import audit, chart
from workflow.chart import JourneyChart
from workflow.errors import ConcurrentChange, DomainError, EventNotAllowed, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import Account, App, Event, Journey, User
from workflow.models.base import utcnow
from workflow.policy import Action, authorize, event_action, may
from workflow.signals import journey_changed, preparing_event
from workflow.stages import EVENT_LABELS, STATE_NAMES


def chart_for(journey: Journey) -> JourneyChart:
    return JourneyChart(model=journey)


def get_journey_for(user: User, journey_id: int, *, for_update: bool = False) -> Journey:
    """The journey if ``user`` may see it; another account's journey is simply not found."""
    journey = db.session.get(Journey, journey_id, with_for_update=for_update or None)
    if journey is None:
        raise NotFound(_l("No such journey."))
    authorize(user, Action.view_journey, journey)
    return journey


def events_for(user: User, journey: Journey) -> list[str]:
    """The events this user could fire now, in the chart's declaration order."""
    return [e for e in chart.enabled_events(journey) if _may_fire(user, e, journey)]


def _may_fire(user: User, event: str, journey: Journey) -> bool:
    action = event_action(event)
    return action is not None and may(user, action, journey)


#: Events whose applicant-visible reason may not be empty.
NEEDS_REASON = frozenset({"request_changes", "reject", "refuse_exemption"})


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
    action = event_action(event)
    if action is None:
        raise EventNotAllowed(_l("The journey has no step “%(event)s”.", event=event))
    authorize(actor, action, journey)
    if seen_version is not None and seen_version != journey.version_id:
        raise ConcurrentChange()
    comment, note = comment.strip(), note.strip()
    if event in NEEDS_REASON and not comment:
        raise DomainError(_l("Give the applicant a reason."))
    if note:
        authorize(actor, Action.write_internal_note, journey)
    from_state = journey.state
    try:
        # No autoflush: the version check must happen at our flush, where it is caught.
        with db.session.no_autoflush:
            chart_for(journey).send(event, actor=actor, **data)
            _after_transition(journey)
        db.session.flush()
    except TransitionNotAllowed:
        raise EventNotAllowed(
            _l(
                "“%(event)s” is not possible while the journey is “%(state)s”.",
                event=EVENT_LABELS.get(event, event),
                state=STATE_NAMES.get(from_state, from_state),
            )
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
            payload=prepared[0].event_payload if prepared else None,
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
    if journey.state == "enabled" and journey.account.taobao_verified_at is None:
        # The claimed taobao account ID is this account's from now on (unique among verified).
        journey.account.taobao_verified_at = now


def open_journey(
    account: Account, actor: User | None, *, follows: Journey | None = None
) -> Journey:
    """Start a journey: at enablement for a new account, at the APP draft once enabled.

    ``follows`` is the rejected journey this one continues (``workflow.continuation``); an
    admin may start that one on the applicant's behalf.
    """
    if actor is not None:
        db.session.flush()  # a user and account created just now get their ids and defaults
        if follows is None:
            authorize(actor, Action.start_journey, account)
        else:
            authorize(actor, Action.continue_journey, follows)
    state = "app_draft" if account.is_enabled else "enablement_draft"
    journey = Journey(account=account, state=state, state_changed_at=utcnow(), follows=follows)
    db.session.add(journey)
    db.session.flush()
    audit.append_event(journey, actor, "open", "", state)
    return journey


def journeys_of(account: Account, *, preload: bool = False) -> Iterable[Journey]:
    """The account's journeys; ``preload`` (read-only pages) loads at once, for all of them,
    the rows their titles, comments and next steps read, so the page's statements do not
    grow with the journeys."""
    stmt = select(Journey).where(Journey.account_id == account.id).order_by(Journey.id)
    if not preload:
        return db.session.scalars(stmt)
    return load_for_page(stmt, JOURNEY_ROWS)


def load_for_page(stmt, rows) -> list[Journey]:
    """The journeys of ``stmt`` with ``rows`` loaded afresh, marked for this request's
    read-only page (``Journey.mark_for_page``)."""
    stmt = stmt.options(*rows).execution_options(populate_existing=True)
    journeys = list(db.session.scalars(stmt).unique())
    for journey in journeys:
        journey.mark_for_page()
    return journeys


#: What the dashboard reads of each journey, one statement per collection whatever the number
#: of journeys (the journey page reads its own in one: ``workflow.journeys.page_rows``).
JOURNEY_ROWS = (
    joinedload(Journey.account),
    joinedload(Journey.enablement_request),
    joinedload(Journey.app).joinedload(App.api_requests),
    selectinload(Journey.events).joinedload(Event.actor),
    selectinload(Journey.stage_forms),
    selectinload(Journey.evidence),
    selectinload(Journey.seller_lists),
    selectinload(Journey.document_versions),
)
