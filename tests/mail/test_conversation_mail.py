"""A stage's messages reach the other side over a real SMTP server, through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from workflow.conversation.operations import post_message
from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.transports import transport_from_config
from workflow.models import AccountKind, OutboxMessage, OutboxStatus, Role


def test_messages_are_delivered_to_the_other_side(
    smtp_app, smtp_server, make_account, make_user, make_journey
):
    account = make_account(AccountKind.isv, name="Hangzhou Example Software")
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant, state="cloud_provisioning")
    post_message(journey, applicant, "Our VPC is ready; which CIDR do you need?", nonce="a" * 20)
    post_message(journey, reviewer, "10.8.0.0/16, and open 443 to the gateway.", nonce="b" * 20)
    db.session.commit()

    result = send_due(transport_from_config(smtp_app.config))
    assert result.sent == 2
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    to_reviewers = by_recipient[smtp_app.config["TMALL_MAILBOX"]]
    assert "Message from Hangzhou Example Software: Deployment" in to_reviewers["Subject"]
    assert "which CIDR do you need?" in to_reviewers.get_payload(decode=True).decode()
    to_applicant = by_recipient[applicant.email]
    assert to_applicant["Subject"] == "[TOP onboarding] Message from Tmall Global: Deployment"
    body = to_applicant.get_payload(decode=True).decode()
    assert "10.8.0.0/16, and open 443 to the gateway." in body
    assert f"/journeys/{journey.id}#conversation" in body
    statuses = {m.status for m in db.session.scalars(select(OutboxMessage))}
    assert statuses == {OutboxStatus.sent}
