"""A person's data: exported by them or an admin, erased by an admin, the chain untouched."""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from sqlalchemy import select

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    desk_storage,
    fire_event,
    isv,
    save_isv_details,
    upload_all,
)
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import EnablementRequest, OutboxMessage, Role, User


def _applicant_with_history(isv, client_for):  # noqa: F811
    applicant = client_for(isv.applicant)
    jid = isv.journey.id
    save_isv_details(applicant, jid)
    upload_all(applicant, isv)
    db.session.commit()
    request = db.session.scalars(
        select(EnablementRequest).where(EnablementRequest.journey_id == jid)
    ).one()
    request.contact_email = isv.applicant.email  # the applicant is the request's contact
    request.decided_fields = {"contact_email": isv.applicant.email, "company_name": "Demo"}
    db.session.commit()
    posted = applicant.post(
        f"/journeys/{jid}/conversation",
        data={"body": "Our registration certificate is the 2024 one.", "stage": "1",
              "nonce": "n" * 32},
    )  # fmt: skip
    assert posted.status_code == 302
    assert fire_event(applicant, jid, "submit", comment="All six documents are here.").status_code
    db.session.commit()
    return applicant, jid


def _json(response):
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))


def _admin(make_user):
    admin = make_user(Role.admin)
    db.session.commit()
    client = current_app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code
    return admin, client


def test_a_person_downloads_their_own_data(isv, client_for):  # noqa: F811
    applicant, jid = _applicant_with_history(isv, client_for)
    data = _json(applicant.get("/account/personal-data.json"))
    assert data["user"]["email"] == isv.applicant.email
    assert data["account"]["taobao_account_id"] == isv.account.taobao_account_id
    assert [j["id"] for j in data["journeys"]] == [jid]
    assert "All six documents are here." in [e["comment"] for e in data["events"]]
    assert [m["body"] for m in data["messages"]] == [
        "Our registration certificate is the 2024 one."
    ]
    assert len(data["uploads"]) == 6 and all(u["sha256"] for u in data["uploads"])
    assert data["contact_details"][0]["contact_name"] == "Li Lei"
    assert data["notices"] == {"receipt": True, "reminder": True}
    assert "Download my data" in applicant.get("/account/password").get_data(as_text=True)


def test_only_the_person_and_admins_export(isv, client_for, make_user):  # noqa: F811
    applicant, _ = _applicant_with_history(isv, client_for)
    reviewer = client_for(isv.reviewer)
    path = f"/admin/users/{isv.applicant.id}/personal-data.json"
    assert applicant.get(f"/admin/users/{isv.reviewer.id}/personal-data.json").status_code == 404
    assert reviewer.get(path).status_code == 404
    _, admin = _admin(make_user)
    assert _json(admin.get(path))["user"]["id"] == isv.applicant.id


def test_erasure_removes_identity_and_keeps_the_chain(isv, client_for, make_user):  # noqa: F811
    applicant, jid = _applicant_with_history(isv, client_for)
    email = isv.applicant.email
    mails_before = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == email)
    ).all()
    admin_user, admin = _admin(make_user)
    page = admin.post(f"/admin/users/{isv.applicant.id}/erase", follow_redirects=True)
    assert page.status_code == 200
    assert "personal data is erased" in page.get_data(as_text=True)

    db.session.expire_all()
    user = db.session.get(User, isv.applicant.id)
    assert user.email == f"erased-{user.id}@erased.invalid" and user.name == ""
    assert user.erased_email_sha256 == hashlib.sha256(email.lower().encode()).hexdigest()
    assert not user.is_active
    request = db.session.scalars(
        select(EnablementRequest).where(EnablementRequest.journey_id == jid)
    ).one()
    assert (request.contact_name, request.contact_email, request.contact_phone) == ("", "", "")
    assert request.company_name == "Demo Software Ltd"  # the company's data is not the person's
    assert request.decided_fields == {"contact_email": "", "company_name": "Demo"}
    for mail in mails_before:
        db.session.refresh(mail)
        assert (mail.to_addr, mail.subject, mail.body) == ("", "", "")
    # Their session is gone, and their old address and password sign no one in.
    assert applicant.get("/account/password").status_code == 302
    fresh = current_app.test_client()
    assert fresh.post("/login", data={"email": email, "password": PASSWORD}).status_code == 200

    exported = admin.get(f"/admin/users/{user.id}/personal-data.json").get_data(as_text=True)
    assert email not in exported and "Li Lei" not in exported
    verify = current_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output

    # A second click changes nothing; an admin cannot erase themselves.
    assert admin.post(f"/admin/users/{user.id}/erase").status_code == 302
    own = admin.post(f"/admin/users/{admin_user.id}/erase", follow_redirects=True)
    assert "You cannot erase your own data" in own.get_data(as_text=True)
    assert db.session.get(User, admin_user.id).erased_at is None


def test_only_admins_erase(isv, client_for):  # noqa: F811
    reviewer = client_for(isv.reviewer)
    assert reviewer.post(f"/admin/users/{isv.applicant.id}/erase").status_code == 404
    assert db.session.get(User, isv.applicant.id).erased_at is None
