"""Notifications reach a real SMTP server: the applicant's receipt with its packet, the
assignee's mail, and the periodic notices, each once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.transports import transport_from_config
from workflow.models import AccountKind, Packet, Role
from workflow.models.base import utcnow
from workflow.notifications.reminders import send_reminders
from workflow.review.operations import assign_journey


def _by_recipient(smtp_server) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in smtp_server.messages:
        found.setdefault(message["To"], []).append(message)
    return found


def test_the_receipt_arrives_with_the_packet_attached(smtp_app, smtp_server, seller_submission):
    journey, applicant, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet)).one()
    assert send_due(transport_from_config(smtp_app.config)).sent == 2
    received = _by_recipient(smtp_server)
    [receipt] = received[applicant.email]
    assert receipt["Subject"].startswith("[TOP onboarding] Received: Enablement submitted")
    [attachment] = [p for p in receipt.walk() if p.get_filename()]
    assert attachment.get_filename() == f"{packet.reference}.pdf"
    assert hashlib.sha256(attachment.get_payload(decode=True)).hexdigest() == packet.sha256
    assert len(received[smtp_app.config["TMALL_MAILBOX"]]) == 1


def test_assignment_and_periodic_notices_arrive_once(
    app, smtp_app, smtp_server, make_account, make_user, make_journey
):
    lead, reviewer = make_user(Role.admin), make_user(Role.reviewer)
    account = make_account(AccountKind.isv, name="Overdue Co")
    applicant = make_user(Role.applicant, account)
    waiting = make_journey(account, state="api_access_submitted")
    idle = make_journey(make_account(AccountKind.seller), state="app_draft")
    idle_applicant = make_user(Role.applicant, idle.account)
    assign_journey(waiting, lead, reviewer)
    at = utcnow().replace(hour=app.config["DIGEST_HOUR_UTC"] + 1)  # the clock of the round
    waiting.state_changed_at = at - timedelta(days=app.config["REVIEW_SLA_DAYS"], hours=1)
    idle.state_changed_at = at - timedelta(days=app.config["APPLICANT_REMINDER_DAYS"] + 1)
    db.session.commit()
    for _ in range(2):
        send_reminders(at)
        db.session.commit()
    transport = transport_from_config(smtp_app.config)
    assert send_due(transport).sent == 4
    assert send_due(transport).sent == 0
    received = _by_recipient(smtp_server)
    subjects = sorted(m["Subject"] for m in received[reviewer.email])
    assert subjects == [
        "[TOP onboarding] Assigned to you: Overdue Co",
        "[TOP onboarding] Overdue: Overdue Co, waiting 3 days",
        f"[TOP onboarding] Your open items: 1 ({at.date().isoformat()})",
    ]
    [reminder] = received[idle_applicant.email]
    assert reminder["Subject"] == "[TOP onboarding] Waiting for you: APP draft"
    assert f"/journeys/{idle.id}" in reminder.get_payload(decode=True).decode()
    assert applicant.email not in received and lead.email not in received
