"""Sign-up through HTTP: the address is confirmed by a mailed single-use link before anything
can be submitted, and the answer is the same whatever already exists."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.auth.conftest import REGISTRATION, body_of, link_in, register, token_of
from tests.support import PASSWORD
from workflow import auth
from workflow.auth import registration
from workflow.auth.tokens import token_digest
from workflow.extensions import db
from workflow.models import (
    Account,
    AccountToken,
    EnablementRequest,
    Journey,
    OutboxMessage,
    Role,
    TokenPurpose,
    User,
)
from workflow.models import accounts as account_models
from workflow.models.base import utcnow

NEW = "new@example.com"
DETAILS = {
    "company_name": "杭州测试科技有限公司",
    "registration_number": "91330100MA2TEST01X",
    "company_address": "1 Test Road, Hangzhou",
    "contact_name": "Li Lei",
    "contact_email": "li@example.com",
}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def user_of(email: str) -> User:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).one()


def sign_in(client, email: str, password: str = REGISTRATION["password"]):
    return client.post("/login", data={"email": email, "password": password})


def test_sign_up_verifies_the_address_by_a_mailed_link_end_to_end(client, mailbox):
    response = register(client, "New@Example.com")
    assert response.status_code == 200
    assert "Check your mailbox" in response.text and "New@Example.com" in response.text
    user = user_of(NEW)
    assert user.role is Role.applicant and not user.is_email_verified
    assert user.account.taobao_account_id == "hz_test_01"
    assert not user.account.is_taobao_verified  # claimed until a reviewer approves
    [journey] = db.session.scalars(select(Journey)).all()

    message = mailbox.one_to(NEW)
    assert message["Subject"] == "[TOP onboarding] Confirm your e-mail address"
    link = link_in(message, "/account/verify")
    stored = db.session.scalars(select(AccountToken)).one()
    assert stored.token_hash == token_digest(token_of(link))
    assert token_of(link) not in repr(list(db.session.execute(AccountToken.__table__.select())))

    # Signed in but unconfirmed: reading works, any submission is refused with a resend action.
    assert sign_in(client, NEW).status_code == 302
    page = client.get(f"/journeys/{journey.id}")
    assert page.status_code == 200 and "Confirm your e-mail address to submit" in page.text
    refused = client.post(f"/journeys/{journey.id}/enablement/request", data=DETAILS)
    assert refused.status_code == 403
    assert f"Confirm your e-mail address first: open the link we mailed to {NEW}" in refused.text
    assert "Mail me the link again" in refused.text
    refused = client.post(
        f"/journeys/{journey.id}/events/submit", data={"version": journey.version_id}
    )
    assert refused.status_code == 403 and "Confirm your e-mail address first" in refused.text
    assert count(EnablementRequest) == 0
    assert db.session.get(Journey, journey.id).state == "enablement_draft"

    # The link's page asks for a click; opening it changes nothing yet.
    landing = client.get(link)
    assert landing.status_code == 200 and "Confirm my address" in landing.text
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    assert not user_of(NEW).is_email_verified
    confirmed = client.post("/account/verify", data={"token": token_of(link)})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/"
    assert user_of(NEW).is_email_verified

    saved = client.post(f"/journeys/{journey.id}/enablement/request", data=DETAILS)
    assert saved.status_code == 302
    assert count(EnablementRequest) == 1

    again = client.post("/account/verify", data={"token": token_of(link)})
    assert again.status_code == 400 and "This link no longer works" in again.text
    assert client.get(link).status_code == 400


def test_a_resent_link_replaces_the_earlier_one(client, mailbox):
    register(client, NEW)
    first = link_in(mailbox.one_to(NEW), "/account/verify")
    sign_in(client, NEW)
    response = client.post("/account/verify/resend", follow_redirects=True)
    assert f"We mailed a new link to {NEW}" in response.text
    messages = mailbox.to(NEW)
    assert len(messages) == 2
    second = link_in(messages[1], "/account/verify")
    assert client.post("/account/verify", data={"token": token_of(first)}).status_code == 400
    assert not user_of(NEW).is_email_verified
    assert client.post("/account/verify", data={"token": token_of(second)}).status_code == 302
    assert user_of(NEW).is_email_verified
    response = client.post("/account/verify/resend", follow_redirects=True)
    assert "already confirmed" in response.text
    assert len(mailbox.to(NEW)) == 2


def test_an_expired_link_is_refused(app, client, mailbox):
    register(client, NEW)
    link = link_in(mailbox.one_to(NEW), "/account/verify")
    token = db.session.scalars(select(AccountToken)).one()
    hours = app.config["EMAIL_VERIFICATION_HOURS"]
    assert token.expires_at - token.created_at == timedelta(hours=hours)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 400
    response = client.post("/account/verify", data={"token": token_of(link)})
    assert response.status_code == 400 and "expired" in response.text
    assert not user_of(NEW).is_email_verified


def test_garbage_tokens_are_refused_without_a_500(client):
    for token in ("", "x", "%00", "a" * 5000, "é\u200b"):
        assert client.get("/account/verify", query_string={"token": token}).status_code == 400
        assert client.post("/account/verify", data={"token": token}).status_code == 400


def _answer(response, email: str) -> tuple[int, str]:
    return response.status_code, response.text.replace(email, "EMAIL")


def test_registration_answers_the_same_for_a_known_address_and_mails_its_owner(
    app, client, mailbox, make_user, make_account
):
    owner = make_user(Role.applicant, make_account())
    db.session.commit()
    users, accounts = count(User), count(Account)
    known = register(client, owner.email.upper(), taobao_account_id="brand_new_id")
    fresh = register(app.test_client(), NEW)
    assert _answer(known, owner.email.upper()) == _answer(fresh, NEW)
    assert count(User) == users + 1 and count(Account) == accounts + 1  # only the fresh one
    warning = mailbox.one_to(owner.email)
    assert warning["Subject"] == "[TOP onboarding] Someone tried to register with your address"
    assert "nothing was created or changed" in body_of(warning)
    assert link_in(warning, "/password/forgot") == "/password/forgot"
    assert "/account/verify" not in body_of(warning)  # their address is confirmed already
    assert user_of(owner.email).check_password(PASSWORD)
    assert "Confirm your e-mail address" in mailbox.one_to(NEW)["Subject"]


def test_a_second_registration_of_an_unconfirmed_address_mails_a_fresh_link(client, mailbox):
    register(client, NEW)
    register(client, NEW)
    first, warning = mailbox.to(NEW)
    assert "Someone tried to register" in warning["Subject"]
    link = link_in(warning, "/account/verify")
    assert client.post("/account/verify", data={"token": token_of(link)}).status_code == 302
    assert count(User) == 1


def test_both_registration_paths_compute_a_password_hash(client, monkeypatch, make_user):
    owner = make_user(Role.reviewer)
    db.session.commit()
    calls = []

    def counting(real):
        def hash_password(password, *args, **kwargs):
            calls.append(password)
            return real(password, *args, **kwargs)

        return hash_password

    monkeypatch.setattr(
        registration, "generate_password_hash", counting(registration.generate_password_hash)
    )
    monkeypatch.setattr(
        account_models,
        "generate_password_hash",
        counting(account_models.generate_password_hash),
    )
    register(client, owner.email)
    assert calls == [REGISTRATION["password"]]
    register(client, NEW)
    assert calls == [REGISTRATION["password"]] * 2


def test_registration_does_not_reveal_a_taken_taobao_id(app, client, mailbox, make_account):
    holder = make_account()  # tb_account_1
    holder.taobao_verified_at = utcnow()
    db.session.commit()
    taken = register(client, NEW, taobao_account_id="TB_ACCOUNT_1")
    free = register(app.test_client(), "other@example.com", taobao_account_id="free_id_9")
    assert _answer(taken, NEW) == _answer(free, "other@example.com")
    claim = user_of(NEW).account
    assert claim.id != holder.id and claim.taobao_account_key == holder.taobao_account_key
    assert not claim.is_taobao_verified
    assert "Confirm your e-mail address" in mailbox.one_to(NEW)["Subject"]
    assert "TB_ACCOUNT_1" not in body_of(mailbox.one_to(NEW))


def test_registration_queues_its_mail_in_the_outbox(client, monkeypatch):
    monkeypatch.setattr(auth.mails, "SUBJECT_PREFIX", "[desk]")
    register(client, NEW)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_addr == NEW and message.subject == "[desk] Confirm your e-mail address"
    assert message.delivery is not None and message.delivery.kind == "mail"
    assert count(AccountToken) == 1
    assert db.session.scalars(select(AccountToken)).one().purpose is TokenPurpose.verify_email
