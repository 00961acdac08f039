"""The guide's three developer types (§1.1): a TP registers like a seller or an ISV, and takes
the ISV's path, since the guide gives it no other."""

from __future__ import annotations

import html

from sqlalchemy import select

from tests.auth.conftest import link_in, register, token_of
from tests.enablement.conftest import LETTERS, file_for, upload
from workflow.extensions import db
from workflow.models import Account, AccountKind, DocumentVersion, Journey, Role, User

TP_EMAIL = "partner@example.com"
TP_DETAILS = {
    "company_name": "Demo Partner Operations Ltd",
    "registration_number": "91330100MA2TP0001X",
    "company_address": "2 Partner Road, Hangzhou",
    "signatory_name": "Li Lei",
    "contact_name": "Li Lei",
    "contact_email": "li.lei@example.com",
}


def test_registration_explains_the_three_developer_types(client):
    page = html.unescape(client.get("/register").get_data(as_text=True))
    assert 'value="seller"' in page and 'value="isv"' in page and 'value="tp"' in page
    assert "A Tmall Global seller: you sell on Tmall Global" in page
    assert "An ISV (independent software vendor): a software company" in page
    assert "A TP (Taobao Partner): a company in the taobao partner program" in page
    assert "The guide gives a TP the ISV's path" in page


def test_an_unknown_developer_type_is_refused_with_a_message(client):
    response = register(client, "odd@example.com", account_kind="agency")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalars(select(Account)).all() == []


def test_a_tp_registers_sees_the_isv_documents_and_is_enabled(client, mailbox, app, make_user):
    assert (
        register(client, TP_EMAIL, account_kind="tp", taobao_account_id="tp_partner_01").status_code
        == 200
    )
    confirmed = client.post(
        "/account/verify",
        data={"token": token_of(link_in(mailbox.one_to(TP_EMAIL), "/account/verify"))},
    )
    assert confirmed.status_code == 302
    user = db.session.scalars(select(User).where(User.email == TP_EMAIL)).one()
    assert user.account.kind is AccountKind.tp and user.account.takes_isv_path
    [journey] = db.session.scalars(select(Journey)).all()
    jid = journey.id

    assert (
        client.post(
            "/login", data={"email": TP_EMAIL, "password": "long enough password"}
        ).status_code
        == 302
    )
    page = html.unescape(client.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "TP (Taobao Partner)" in page
    assert "company details and documents a–f" in page
    assert client.post(f"/journeys/{jid}/enablement/request", data=TP_DETAILS).status_code == 302
    for letter in LETTERS:
        data, name = file_for(letter, "tp_partner_01")
        assert upload(client, jid, letter, data, name).status_code == 302
    version = db.session.get(Journey, jid).version_id
    submitted = client.post(f"/journeys/{jid}/events/submit", data={"version": version})
    assert submitted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Journey, jid).state == "enablement_submitted"

    reviewer = make_user(Role.reviewer)
    db.session.commit()
    staff = app.test_client()
    from tests.support import PASSWORD

    assert (
        staff.post("/login", data={"email": reviewer.email, "password": PASSWORD}).status_code
        == 302
    )
    queue = html.unescape(staff.get("/review/").get_data(as_text=True))
    assert "TP · tp_partner_01" in queue
    review_page = html.unescape(staff.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "TP (Taobao Partner)" in review_page
    documents = db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.journey_id == jid)
    ).all()
    assert len(documents) == 6
    for document in documents:
        decided = staff.post(
            f"/enablement/documents/{document.id}/decision",
            data={"decision": "accept", "reason": "", "seen_status": "pending"},
        )
        assert decided.status_code == 302
    version = db.session.get(Journey, jid).version_id
    assert (
        staff.post(f"/journeys/{jid}/events/approve", data={"version": version}).status_code == 302
    )
    db.session.expire_all()
    journey = db.session.get(Journey, jid)
    assert journey.state == "enabled"
    assert journey.account.is_enabled and journey.account.is_taobao_verified
