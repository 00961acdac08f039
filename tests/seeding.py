"""Rows the access tests seed directly: a journey per stage, evidence, a packet.

Tests may place a journey in any state; the desk itself never does. These helpers write the rows
the routes under test need, so that every table of routes starts from the same kind of world.
"""

from __future__ import annotations

import hashlib
import io
import json

from workflow.apps.operations import register_app, request_api_access
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.models import (
    Audience,
    Evidence,
    EvidenceKind,
    Journey,
    Packet,
    PacketSnapshot,
    User,
)
from workflow.operations import open_journey
from workflow.storage_setup import get_storage

API = "taobao.trades.sold.get"


def journey_with_app(
    account,
    applicant: User,
    state: str,
    *,
    app_key: str,
    name: str,
    audience: Audience = Audience.own_shop,
) -> Journey:
    """A new journey of ``account`` with an APP asking for one API, placed in ``state``."""
    journey = open_journey(account, applicant)
    register_app(
        journey,
        applicant,
        app_key=app_key,
        name=name,
        description="Seeded for the access tests",
        is_new=True,
        audience=audience,
    )
    request_api_access(journey, applicant, {API: "To ship orders"})
    journey.state = state
    return journey


def seed_evidence(journey: Journey, actor: User) -> Evidence:
    """A failing sandbox report uploaded for ``journey``: a row and its stored bytes."""
    report = {"ok": False, "checks": []}
    stored = get_storage().save(
        io.BytesIO(json.dumps(report).encode()), content_type="application/json"
    )
    evidence = Evidence(
        journey_id=journey.id,
        kind=EvidenceKind.sandbox,
        source="upload",
        is_passing=False,
        report=report,
        file_id=stored.file_id,
        filename="report.json",
        sha256=stored.sha256,
        size=stored.size,
        created_by_id=actor.id,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def seed_snapshot(journey: Journey, reference: str, kind: str = "distribution") -> PacketSnapshot:
    """A submission's frozen packet inputs on ``journey``'s first event, not rendered yet."""
    snapshot = PacketSnapshot(
        journey_id=journey.id,
        event_id=journey.events[0].id,
        kind=kind,
        reference=reference,
        inputs="{}",
        inputs_sha256=hashlib.sha256(b"{}").hexdigest(),
        renderer_digest="0" * 64,
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def seed_packet(journey: Journey, reference: str, kind: str = "distribution") -> Packet:
    """A packet of ``journey`` on its first event, with a stored PDF."""
    stored = get_storage().save(io.BytesIO(sample_pdf("Packet")), content_type="application/pdf")
    packet = Packet(
        journey_id=journey.id,
        event_id=journey.events[0].id,
        kind=kind,
        reference=reference,
        file_id=stored.file_id,
        sha256=stored.sha256,
        size=stored.size,
        cache_key="0" * 64,
    )
    db.session.add(packet)
    db.session.flush()
    return packet


def seed_webhook(account_id: int | None, label: str) -> tuple[int, int]:
    """An endpoint (of the account, or the desk's own for None) with one failed delivery, so
    its log has a row to send again: ``(endpoint id, delivery id)``."""
    import uuid

    from workflow.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from workflow.webhooks import signing

    endpoint = WebhookEndpoint(
        account_id=account_id,
        url=f"https://hooks.example.com/{label}",
        description="",
        event_types=["journey.moved"],
        public_id=signing.new_public_id(),
        key_id=signing.current_key_id(),
    )
    db.session.add(endpoint)
    db.session.flush()
    delivery = WebhookDelivery(
        delivery_id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        event_type="journey.moved",
        payload="{}",
        status=DeliveryStatus.failed,
        attempts=8,
        last_error="HTTP 503",
    )
    db.session.add(delivery)
    db.session.flush()
    return endpoint.id, delivery.id
