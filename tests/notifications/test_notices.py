"""The applicant's receipt for each submission, the assignee's mail, and the settings page that
switches each of them off."""

from __future__ import annotations

from sqlalchemy import select

from tests.notifications.conftest import outbox
from workflow.extensions import db
from workflow.models import AccountKind, NotificationPreference, Packet, Role
from workflow.notifications.preferences import preferences_of, set_preferences


def test_each_submission_mails_its_applicant_a_receipt_with_the_packet(app, seller_submission):
    journey, applicant, submit = seller_submission
    event = submit()
    packet = db.session.scalars(select(Packet)).one()
    [receipt] = outbox(applicant.email)
    assert receipt.journey_id == journey.id
    assert receipt.subject.startswith("[TOP onboarding] Received: Enablement submitted")
    assert receipt.attachment_file_id == packet.file_id
    assert receipt.attachment_name == f"{packet.reference}.pdf"
    assert f"{event.created_at:%Y-%m-%d %H:%M} UTC" in receipt.body
    assert packet.sha256 in receipt.body and f"/journeys/{journey.id}" in receipt.body
    [reviewers] = outbox(app.config["TMALL_MAILBOX"])  # the reviewers are still told
    assert reviewers.attachment_file_id == packet.file_id and len(outbox()) == 2


def test_a_packet_over_the_limit_is_linked_in_the_receipt(app, client, seller_submission):
    journey, applicant, submit = seller_submission
    app.config["MAIL_ATTACHMENT_LIMIT_BYTES"] = 1000
    try:
        submit()
    finally:
        app.config["MAIL_ATTACHMENT_LIMIT_BYTES"] = 10 * 1024 * 1024
    [receipt] = outbox(applicant.email)
    assert receipt.attachment_file_id is None
    link = next(word for word in receipt.body.split() if "/packets/link/" in word)
    packet = db.session.scalars(select(Packet)).one()
    response = client.get(link.replace("http://desk.test", ""))
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    assert packet.sha256 in receipt.body


def test_an_applicant_who_turned_receipts_off_gets_none(seller_submission):
    journey, applicant, submit = seller_submission
    set_preferences(applicant, {"receipt": False})
    db.session.commit()
    submit()
    assert outbox(applicant.email) == []
    assert len(outbox()) == 1  # the reviewers' mailbox


def test_an_item_assigned_by_someone_else_mails_the_assignee(
    client, login, make_account, make_user, make_journey
):
    account = make_account(AccountKind.isv, name="Assigned Co")
    make_user(Role.applicant, account)
    journey = make_journey(account, state="enablement_submitted")
    lead, reviewer, quiet = (
        make_user(Role.admin),
        make_user(Role.reviewer),
        make_user(Role.reviewer),
    )
    set_preferences(quiet, {"assignment": False})
    login(lead)
    for assignee in ("me", str(reviewer.id), str(quiet.id), str(reviewer.id)):
        response = client.post(f"/review/journeys/{journey.id}/assign", data={"assignee": assignee})
        assert response.status_code == 302
    assert outbox(lead.email) == []  # claiming for oneself mails nobody
    assert outbox(quiet.email) == []  # turned off
    mails = outbox(reviewer.email)
    assert len(mails) == 2  # assigned to them twice
    assert mails[0].subject == "[TOP onboarding] Assigned to you: Assigned Co"
    assert f"{lead.email} assigned" in mails[0].body and f"/journeys/{journey.id}" in mails[0].body
    assert "State: Enablement submitted" in mails[0].body


def test_the_settings_page_shows_and_saves_the_notices_of_the_users_role(
    client, login, make_account, make_user
):
    applicant = make_user(Role.applicant, make_account())
    login(applicant)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "A receipt, with its packet" in page and "daily digest" not in page
    assert '<input checked id="receipt" name="receipt" type="checkbox"' in page
    response = client.post("/account/settings", data={"reminder": "y"})
    assert response.status_code == 302 and response.location.endswith("/account/settings")
    assert preferences_of(applicant) == {"receipt": False, "reminder": True}
    page = client.get("/account/settings").get_data(as_text=True)
    assert "Your notification settings are saved." in page
    assert '<input id="receipt" name="receipt" type="checkbox"' in page
    assert '<input checked id="reminder" name="reminder" type="checkbox"' in page
    # A staff notice posted by an applicant is no choice of theirs: it changes nothing.
    client.post("/account/settings", data={"digest": "", "receipt": "y", "reminder": "y"})
    row = db.session.get(NotificationPreference, applicant.id)
    db.session.refresh(row)
    assert (row.receipt, row.reminder, row.digest) == (True, True, True)


def test_a_reviewer_switches_the_digest_off(client, login, make_user):
    reviewer = make_user(Role.reviewer)
    login(reviewer)
    page = client.get("/account/settings").get_data(as_text=True)
    assert "A daily digest of my open items" in page and "A receipt" not in page
    client.post("/account/settings", data={"assignment": "y", "escalation": "y"})
    assert preferences_of(reviewer) == {"assignment": True, "digest": False, "escalation": True}
