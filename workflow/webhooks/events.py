"""The event types endpoints subscribe to, and the deliveries each change owes them.

Handlers of the domain's signals write one delivery row per subscribed, active endpoint, with
its ``webhook`` job, in the transaction of the change itself (the outbox pattern): a change
that rolls back owes nothing, and nothing owed is lost when a receiver is down. Payloads carry
ids, states, the stage, the event and its time in UTC; never a secret, a comment, a note or a
document's contents.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel.speaklater import LazyString
from sqlalchemy import or_, select

from workflow.extensions import db
from workflow.i18n import _l
from workflow.jobs import enqueue
from workflow.models import (
    DecisionKind,
    DeliveryStatus,
    DocumentVersion,
    Event,
    Journey,
    Packet,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflow.models.base import utcnow
from workflow.models.journeys import canonical_json
from workflow.signals import decision_recorded, journey_changed, packet_ready
from workflow.stages import stage_of


@dataclass(frozen=True)
class EventType:
    name: str
    label: LazyString


JOURNEY_MOVED = "journey.moved"
CHANGES_REQUESTED = "journey.changes_requested"
RELEASED = "journey.released"
DOCUMENT_DECIDED = "document.decided"
PACKET_READY = "packet.ready"

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(JOURNEY_MOVED, _l("A journey moved to another state")),
    EventType(CHANGES_REQUESTED, _l("Tmall Global requested changes")),
    EventType(RELEASED, _l("An APP was released")),
    EventType(DOCUMENT_DECIDED, _l("A document was accepted or rejected")),
    EventType(PACKET_READY, _l("A submission's packet is ready")),
)
EVENT_TYPE_NAMES = tuple(t.name for t in EVENT_TYPES)


def event_label(name: str) -> str:
    return next((str(t.label) for t in EVENT_TYPES if t.name == name), name)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _journey(journey: Journey) -> dict[str, Any]:
    stage = stage_of(journey.state)
    return {
        "id": journey.id,
        "account_id": journey.account_id,
        "state": journey.state,
        "stage": stage.number if stage is not None else None,
    }


def queue_deliveries(
    event_type: str, journey: Journey, at: datetime, details: dict[str, Any]
) -> list[WebhookDelivery]:
    """A delivery, and the job that sends it, for each active endpoint that subscribed to
    ``event_type`` and may hear about ``journey`` (flush, never commit)."""
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.is_active.is_(True),
            or_(
                WebhookEndpoint.account_id == journey.account_id,
                WebhookEndpoint.account_id.is_(None),
            ),
        )
        .order_by(WebhookEndpoint.id)
    ).all()
    wanted = [e for e in endpoints if event_type in (e.event_types or [])]
    if not wanted:
        return []
    now = utcnow()
    body = {"event": event_type, "occurred_at": _iso(at), "journey": _journey(journey), **details}
    deliveries = []
    for endpoint in wanted:
        delivery_id = str(uuid.uuid4())
        delivery = WebhookDelivery(
            delivery_id=delivery_id,
            endpoint_id=endpoint.id,
            event_type=event_type,
            payload=canonical_json({**body, "delivery_id": delivery_id}),
            journey_id=journey.id,
            status=DeliveryStatus.pending,
            next_attempt_at=now,
            last_error="",
        )
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.flush()
    for delivery in deliveries:
        schedule_attempt(delivery, attempt=1, first=1, run_after=now)
    return deliveries


def schedule_attempt(
    delivery: WebhookDelivery, *, attempt: int, first: int, run_after: datetime
) -> None:
    """Queue attempt number ``attempt`` of ``delivery``; ``first`` is the attempt its round of
    retries started at (1, or the attempt a redelivery asked for)."""
    enqueue(
        "webhook",
        {"delivery": delivery.id, "attempt": attempt, "first": first},
        run_after=run_after,
        dedupe_key=f"webhook:{delivery.id}:{attempt}",
    )


@journey_changed.connect
def on_journey_changed(journey: Journey, *, event: Event, **_unused) -> None:
    transition = {"event": event.event, "from": event.from_state, "to": event.to_state}
    details = {"transition": transition}
    queue_deliveries(JOURNEY_MOVED, journey, event.created_at, details)
    if event.event == "request_changes":
        queue_deliveries(CHANGES_REQUESTED, journey, event.created_at, details)
    if event.to_state == "released":
        queue_deliveries(RELEASED, journey, event.created_at, details)


@decision_recorded.connect
def on_decision(journey: Journey, *, event: Event, kind: DecisionKind, rows, **_unused) -> None:
    if kind is not DecisionKind.document:
        return
    for row in rows:
        if isinstance(row, DocumentVersion):
            document = {
                "id": row.id,
                "kind": row.kind.value,
                "version": row.version,
                "status": row.review_status.value,
            }
            queue_deliveries(DOCUMENT_DECIDED, journey, event.created_at, {"document": document})


@packet_ready.connect
def on_packet_ready(packet: Packet, *, submission: Event, **_unused) -> None:
    journey = db.session.get(Journey, packet.journey_id)
    if journey is None:
        return
    details = {
        "packet": {
            "id": packet.id,
            "reference": packet.reference,
            "sha256": packet.sha256,
            "size": packet.size,
            "submission_event_id": submission.id if submission is not None else None,
        }
    }
    queue_deliveries(PACKET_READY, journey, packet.created_at or utcnow(), details)
