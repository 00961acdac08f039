"""Both enablement paths end to end through HTTP."""

from __future__ import annotations

from sqlalchemy import select

from tests.enablement.conftest import (
    LETTERS,
    decide,
    file_for,
    fire_event,
    save_isv_details,
    sha256,
    state_of,
    upload,
    upload_all,
    versions,
)
from workflow.extensions import db
from workflow.models import Account
from workflow.models.enablement import EnablementRequest, ReviewStatus


def test_seller_request_submit_approve_enables_the_account(seller, client_for):
    applicant = client_for(seller.applicant)
    journey_id = seller.journey.id
    response = fire_event(applicant, journey_id, "submit")
    assert "Fill in and save the enablement request" in _flashed(applicant, journey_id)
    response = applicant.post(
        f"/journeys/{journey_id}/enablement/request",
        data={
            "seller_id": "2200812345678",
            "shop_name": "Demo Flagship Store",
            "contact_name": "Han Meimei",
            "contact_email": "han@example.com",
            "reason": "",
        },
    )
    assert response.status_code == 302
    fire_event(applicant, journey_id, "submit")
    assert "Enter the reason for needing TOP access" in _flashed(applicant, journey_id)
    assert state_of(journey_id) == "enablement_draft"

    applicant.post(
        f"/journeys/{journey_id}/enablement/request",
        data={"reason": "Sync orders with our ERP.", "seller_id": "2200812345678"},
    )
    assert fire_event(applicant, journey_id, "submit").status_code == 302
    assert state_of(journey_id) == "enablement_submitted"
    request = db.session.scalars(select(EnablementRequest)).one()
    assert (request.seller_id, request.shop_name, request.reason) == (
        "2200812345678",
        "Demo Flagship Store",
        "Sync orders with our ERP.",
    )

    reviewer = client_for(seller.reviewer)
    page = reviewer.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "Sync orders with our ERP." in page and "2200812345678" in page
    response = fire_event(reviewer, journey_id, "approve")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert state_of(journey_id) == "enabled"
    assert db.session.get(Account, seller.account.id).enabled_at is not None


def test_seller_form_errors_keep_what_was_typed(seller, client_for):
    applicant = client_for(seller.applicant)
    response = applicant.post(
        f"/journeys/{seller.journey.id}/enablement/request",
        data={"seller_id": "not-a-number", "shop_name": "Kept Shop", "contact_email": "x"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A seller ID is a number" in page and "Kept Shop" in page
    assert db.session.scalars(select(EnablementRequest)).all() == []


def test_isv_full_review_cycle(isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id = isv.journey.id
    save_isv_details(applicant, journey_id)
    upload_all(applicant, isv)
    current = {v.kind.value: v for v in versions(journey_id)}
    assert sorted(current) == LETTERS and all(v.version == 1 for v in current.values())
    assert fire_event(applicant, journey_id, "submit").status_code == 302
    assert state_of(journey_id) == "enablement_submitted"

    # The reviewer sees every document inline, with its evidence.
    page = reviewer.get(f"/journeys/{journey_id}").get_data(as_text=True)
    for v in current.values():
        assert f"/enablement/documents/{v.id}/file" in page and v.sha256 in page
    assert 'type="application/pdf"' in page and 'class="viewer-img"' in page
    assert f"mentions taobao account ID {isv.account.taobao_account_id}" in page

    # Approving or requesting changes before the decisions are in is refused.
    fire_event(reviewer, journey_id, "request_changes", "Fix things")
    assert "Reject at least one document" in _flashed(reviewer, journey_id)
    for letter in "abcde":
        assert decide(reviewer, current[letter].id, "accept").status_code == 302
    fire_event(reviewer, journey_id, "approve")
    assert "Accept the authorization letter (document f)" in _flashed(reviewer, journey_id)
    decide(reviewer, current["f"].id, "reject", "The letter is not signed.")
    assert state_of(journey_id) == "enablement_submitted"
    fire_event(reviewer, journey_id, "request_changes", "Please sign the authorization letter.")
    assert state_of(journey_id) == "enablement_changes_requested"

    # The applicant sees exactly which document was rejected and why.
    page = applicant.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "The letter is not signed." in page
    assert page.count('class="slot-state rejected"') == 1
    assert page.count('class="slot-state accepted"') == 5
    fire_event(applicant, journey_id, "submit")
    assert "Replace the rejected authorization letter (document f)" in _flashed(
        applicant, journey_id
    )

    # Re-upload f and change a field; resubmit.
    fixed = file_for("f", isv.account.taobao_account_id)[0] + b"\n% signed\n"
    assert upload(applicant, journey_id, "f", fixed, "letter-signed.pdf").status_code == 302
    applicant.post(
        f"/journeys/{journey_id}/enablement/request",
        data={"company_address": "2 New Road, Hangzhou"},
    )
    fire_event(applicant, journey_id, "submit")
    assert state_of(journey_id) == "enablement_submitted"

    # The reviewer sees what changed since the last decision.
    page = reviewer.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "Changed since the last decision" in page
    assert "version 2 replaces version 1, which was rejected" in page
    assert "1 Demo Road, Hangzhou" in page and "2 New Road, Hangzhou" in page
    newest = {v.kind.value: v for v in versions(journey_id)}["f"]
    assert (newest.version, newest.sha256) == (2, sha256(fixed))
    decide(reviewer, newest.id, "accept")
    fire_event(reviewer, journey_id, "approve")
    assert state_of(journey_id) == "enabled"
    statuses = {v.kind.value: v.review_status for v in versions(journey_id) if v.version == 1}
    assert statuses["f"] is ReviewStatus.rejected  # history keeps the old decision


def test_rejecting_needs_a_reason_and_a_submitted_journey(isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    data, name = file_for("a", isv.account.taobao_account_id)
    upload(applicant, isv.journey.id, "a", data, name)
    document = versions(isv.journey.id)[0]
    refused = decide(reviewer, document.id, "accept")
    assert refused.status_code == 400
    assert "only be decided while the request is submitted" in refused.get_data(as_text=True)
    assert versions(isv.journey.id)[0].review_status is ReviewStatus.pending
    # The applicant sees the document but may not decide it: refused before anything changes.
    assert decide(applicant, document.id, "accept").status_code == 403
    assert versions(isv.journey.id)[0].review_status is ReviewStatus.pending


def test_two_reviewers_deciding_at_once_one_is_told(isv, client_for, make_user):
    from workflow.models import Role

    applicant = client_for(isv.applicant)
    save_isv_details(applicant, isv.journey.id)
    upload_all(applicant, isv)
    fire_event(applicant, isv.journey.id, "submit")
    other = make_user(Role.reviewer)
    db.session.commit()
    first, second = client_for(isv.reviewer), client_for(other)
    document = versions(isv.journey.id)[0]
    # Both loaded the page while the document was pending.
    assert decide(first, document.id, "accept", seen="pending").status_code == 302
    response = decide(second, document.id, "reject", "Blurry", seen="pending")
    assert response.status_code == 409
    stored = versions(isv.journey.id)[0]
    assert (stored.review_status, stored.review_reason) == (ReviewStatus.accepted, "")


def _flashed(client, journey_id: int) -> str:
    """The journey page after a redirect, where flashed messages appear."""
    return client.get(f"/journeys/{journey_id}").get_data(as_text=True).replace("&#39;", "'")


def test_a_seen_status_no_page_shows_is_refused_and_decides_nothing(isv, client_for):
    applicant = client_for(isv.applicant)
    save_isv_details(applicant, isv.journey.id)
    upload_all(applicant, isv)
    fire_event(applicant, isv.journey.id, "submit")
    reviewer = client_for(isv.reviewer)
    document = versions(isv.journey.id)[0]
    response = decide(reviewer, document.id, "accept", seen="approved\x00")
    # The form refuses the value before the operation sees it, naming the field.
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    assert versions(isv.journey.id)[0].review_status is ReviewStatus.pending
