"""Mailed links point at ONBOARDING_PUBLIC_BASE_URL, wherever the mail is queued from."""

from __future__ import annotations

import pytest

from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.transports import transport_from_config
from workflow.models import AccountKind, Role
from workflow.operations import fire


@pytest.fixture
def served_on_5101(app):
    saved = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5101/"
    yield
    app.config["PUBLIC_BASE_URL"] = saved


def test_reviewer_decision_mails_a_link_on_the_public_base_url(
    smtp_app, smtp_server, served_on_5101, make_account, make_user, make_journey
):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant, state="enablement_submitted")
    fire(journey, "request_changes", reviewer, comment="Name the shop as registered.")
    db.session.commit()
    assert send_due(transport_from_config(smtp_app.config)).sent == 1
    [message] = smtp_server.messages
    assert message["To"] == applicant.email
    body = message.get_payload(decode=True).decode()
    assert f"Open it at http://127.0.0.1:5101/journeys/{journey.id}\r\n" in body
    assert "desk.test" not in body
