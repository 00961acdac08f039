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
from workflow.errors import ConcurrentChange
from workflow.models import DecisionKind, Event, Journey, User
from workflow.models.journeys import canonical_json
from workflow.operations import bump_version
from workflow.policy import Action, authorize, decision_action
from workflow.replay import recorded_row
from workflow.signals import decision_recorded

#: Decisions that leave the journey's version where it is: they record a fact about work the
#: desk did (a packet rendered) and change nothing a reviewer's decision rests on, so a
#: reviewer who read the page before it cannot be told that someone acted first.
KEEPS_VERSION = frozenset({DecisionKind.packet_rendered})


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
    packet_sha256: str | None = None,
) -> Event:
    """Record ``actor``'s decision on ``rows`` (already changed and flushed) in the chain.

    ``about`` adds what a reader of the trail needs and the rows do not say (the document's
    letter, the API's name); it is hashed with the rest but never replayed. ``packet_sha256``
    is a rendered packet's hash, which the event's own hash then covers.
    """
    # The operation asked the policy before it changed its rows; the door asks again, so that
    # no caller can record a decision in another role's name.
    authorize(actor, decision_action(kind, actor), journey)
    if seen_version is not None and seen_version != journey.version_id:
        raise ConcurrentChange()
    comment, note = comment.strip(), note.strip()
    if note:
        authorize(actor, Action.write_internal_note, journey)
    # The journey's row first, then the chain head: the same lock order as ``fire``.
    if kind not in KEEPS_VERSION:
        bump_version(journey)
    rows = list(rows)
    payload = {"rows": [recorded_row(row) for row in rows]}
    if about:
        payload["about"] = about
    event = audit.append_event(
        journey,
        actor,
        kind.value,
        journey.state,
        journey.state,
        comment=comment,
        note=note,
        payload=canonical_json(payload),
        packet_sha256=packet_sha256,
    )
    decision_recorded.send(journey, event=event, kind=kind, rows=rows, actor=actor)
    return event
