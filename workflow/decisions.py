"""The second audited door: decisions that do not move the chart.

``operations.fire`` is the door for state. ``decide`` is the door for everything else a person
decides on a journey: a document, an API, a seller list put in force, a claim or assignment, a
required or confirmed configuration, evidence attached or withdrawn.

The operation that makes the decision changes its rows and hands them to ``decide``, which
changes nothing on them. It checks the actor, moves the journey's version, and appends a chained
``Event`` whose state does not move (from and to are the journey's state), whose ``event`` is the
:class:`~workflow.models.DecisionKind` and whose payload names each row with the tracked values
it now holds (``workflow.replay.TRACKED``). ``flask audit verify`` replays those payloads
against the rows.

It flushes and never commits, like every operation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflow import audit
from workflow.errors import ConcurrentChange, NotFound, NotPermitted
from workflow.models import DecisionKind, Event, Journey, Role, User
from workflow.models.journeys import canonical_json
from workflow.operations import bump_version, can_see
from workflow.replay import recorded_row

_STAFF = frozenset({Role.reviewer, Role.admin})
_APPLICANT = frozenset({Role.applicant})

#: Who may make each decision. The operations keep their own, more detailed checks; this is the
#: door's last word, so that no caller can record a decision in another role's name.
DECIDERS: dict[DecisionKind, frozenset[Role]] = {
    DecisionKind.document: _STAFF,
    DecisionKind.api: _STAFF,
    DecisionKind.api_reopened: _APPLICANT,
    DecisionKind.list_in_force: _STAFF,
    DecisionKind.assigned: _STAFF,
    DecisionKind.config_required: frozenset({Role.admin}),
    DecisionKind.config_confirmed: _APPLICANT,
    DecisionKind.evidence_attached: _APPLICANT,
    DecisionKind.evidence_withdrawn: _APPLICANT,
}


def decide(
    journey: Journey,
    actor: User,
    kind: DecisionKind,
    rows: Iterable[Any],
    about: dict[str, Any] | None = None,
    *,
    comment: str = "",
    note: str = "",
    seen_version: int | None = None,
) -> Event:
    """Record ``actor``'s decision on ``rows`` (already changed and flushed) in the chain.

    ``about`` adds what a reader of the trail needs and the rows do not say (the document's
    letter, the API's name); it is hashed with the rest but never replayed.
    """
    _check_actor(journey, actor, kind)
    if seen_version is not None and seen_version != journey.version_id:
        raise ConcurrentChange()
    comment, note = comment.strip(), note.strip()
    if actor.role is Role.applicant and note:
        raise NotPermitted("Only reviewers write internal notes.")
    # The journey's row first, then the chain head: the same lock order as ``fire``.
    bump_version(journey)
    payload = {"rows": [recorded_row(row) for row in rows]}
    if about:
        payload["about"] = about
    return audit.append_event(
        journey,
        actor,
        kind.value,
        journey.state,
        journey.state,
        comment=comment,
        note=note,
        payload=canonical_json(payload),
    )


def _check_actor(journey: Journey, actor: User, kind: DecisionKind) -> None:
    # The access policy is asked here once it exists: may(actor, "decide:<kind>", journey).
    if not can_see(actor, journey):
        raise NotFound("No such journey.")
    if actor.role not in DECIDERS[kind]:
        raise NotPermitted("Your role cannot make this decision.")
