"""The two event types that do not come from a transition: a document decided, a packet ready."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from workflow.enablement.operations import decide_document, upload_document
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.models import AccountKind, DocumentKind, Packet, Role, WebhookDelivery
from workflow.webhooks.events import DOCUMENT_DECIDED, JOURNEY_MOVED, PACKET_READY
from workflow.webhooks.operations import register_endpoint


def _payloads(event_type: str) -> list[dict]:
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.event_type == event_type)
        .order_by(WebhookDelivery.id)
    )
    return [json.loads(row.payload) for row in rows]


def test_a_decided_document_is_delivered_with_its_status_not_its_reason(
    make_account, make_user, make_journey
):
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    register_endpoint(applicant, account, "https://hooks.example.com/docs", [DOCUMENT_DECIDED])
    journey = make_journey(account, applicant)
    pdf = io.BytesIO(sample_pdf("Certificate", "Hook Ltd"))
    document = upload_document(
        journey, applicant, DocumentKind.certificate_of_incorporation, pdf, "a.pdf"
    )
    journey.state = "enablement_submitted"
    db.session.commit()
    decide_document(journey, reviewer, document, "reject", "The stamp is cut off at the edge.")
    db.session.commit()

    [payload] = _payloads(DOCUMENT_DECIDED)
    assert payload["event"] == DOCUMENT_DECIDED
    assert payload["document"] == {
        "id": document.id,
        "kind": DocumentKind.certificate_of_incorporation.value,
        "version": 1,
        "status": "rejected",
    }
    assert payload["journey"]["state"] == "enablement_submitted"
    assert "stamp" not in json.dumps(payload)


def test_a_rendered_packet_is_delivered_with_its_hash(seller_submission):
    journey, applicant, submit = seller_submission
    register_endpoint(
        applicant, journey.account, "https://hooks.example.com/p", [PACKET_READY, JOURNEY_MOVED]
    )
    db.session.commit()
    submit()  # the suite renders the packet in the request

    [packet] = db.session.scalars(select(Packet).where(Packet.journey_id == journey.id)).all()
    [payload] = _payloads(PACKET_READY)
    assert payload["packet"]["id"] == packet.id
    assert payload["packet"]["sha256"] == packet.sha256
    assert payload["packet"]["reference"] == packet.reference
    [moved] = _payloads(JOURNEY_MOVED)
    assert moved["transition"]["event"] == "submit"
    assert payload["packet"]["submission_event_id"] is not None
