"""Until a user opens the link that confirms their address they may read, not submit: the same
answer from the pages, the upload script and the operations themselves."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.support import database_fingerprint
from workflow.enablement.samples import sample_pdf
from workflow.errors import EmailNotVerified
from workflow.extensions import db
from workflow.models import DocumentVersion, Journey, Role
from workflow.models.base import utcnow
from workflow.operations import fire
from workflow.policy import Action, may


@pytest.fixture
def unverified(make_account, make_user, make_journey):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant)
    applicant.email_verified_at = None
    db.session.commit()
    return applicant, journey


def test_the_operations_refuse_an_unconfirmed_user(unverified):
    applicant, journey = unverified
    with pytest.raises(EmailNotVerified, match="Confirm your e-mail address first"):
        fire(journey, "withdraw", applicant)
    db.session.rollback()
    assert db.session.get(Journey, journey.id).state == "enablement_draft"
    assert may(applicant, Action.view_journey, journey)
    assert may(applicant, Action.download_document, journey)
    assert may(applicant, Action.resend_verification)
    for action in (
        Action.take_step,
        Action.upload_document,
        Action.edit_enablement_request,
        Action.run_checker,
        Action.mail_packet_copy,
    ):
        assert not may(applicant, action, journey), action


def test_the_upload_script_gets_the_message_as_json_and_nothing_is_stored(
    client, login, unverified
):
    applicant, journey = unverified
    login(applicant)
    before = database_fingerprint()
    response = client.post(
        f"/journeys/{journey.id}/enablement/documents/a",
        data={"file": (io.BytesIO(sample_pdf("Certificate")), "a.pdf")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.json["ok"] is False
    assert "Confirm your e-mail address first" in response.json["message"]
    assert database_fingerprint() == before
    assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 0


def test_an_unconfirmed_user_may_still_open_a_draft_and_sign_out(client, login, unverified):
    from workflow.apps.demo import register_demo_app

    applicant, journey = unverified
    applicant.account.enabled_at = utcnow()
    # Another APP is registered once a first one exists (registered while the address was
    # still confirmed: the address changed since).
    applicant.email_verified_at = utcnow()
    journey.state = "app_draft"  # tests may place a journey anywhere in the chart
    register_demo_app(journey, applicant)
    applicant.email_verified_at = None
    login(applicant)
    assert client.post("/journeys/new").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Journey)) == 2
    assert client.post("/logout").status_code == 302
