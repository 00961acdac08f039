"""A forgotten password is reset by a mailed single-use link that expires; the reset ends every
session, and the form answers the same whether or not the address has an account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.auth.conftest import body_of, link_in, token_of
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import AccountToken, OutboxMessage, Role, User
from workflow.models.base import utcnow

NEW_PASSWORD = "a brand new passphrase"


def sign_in(client, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password})


def reset(client, token: str, password: str = NEW_PASSWORD):
    return client.post(
        "/password/reset", data={"token": token, "password": password, "confirm": password}
    )


def test_a_forgotten_password_is_reset_by_mail_end_to_end(app, client, mailbox, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    elsewhere = app.test_client()
    assert sign_in(elsewhere, user.email, PASSWORD).status_code == 302
    assert elsewhere.get("/review/").status_code == 200

    asked = client.post("/password/forgot", data={"email": user.email.upper()})
    assert asked.status_code == 200 and "we sent it a link" in asked.text
    message = mailbox.one_to(user.email)
    assert message["Subject"] == "[TOP onboarding] Set a new password"
    assert "works once, for 1 hour" in body_of(message)
    link = link_in(message, "/password/reset")

    form = client.get(link)
    assert form.status_code == 200 and user.email in form.text
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert form.headers["Cache-Control"] == "no-store"
    short = reset(client, token_of(link), "short")
    assert short.status_code == 200 and "Use 10 to 1024 characters" in short.text
    done = reset(client, token_of(link))
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.check_password(NEW_PASSWORD) and not changed.check_password(PASSWORD)
    # The session signed in before the reset is over: its token was rotated.
    stale = elsewhere.get("/review/")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 200
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302

    reused = reset(client, token_of(link), "yet another passphrase")
    assert reused.status_code == 400 and "This link no longer works" in reused.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_the_form_answers_the_same_for_an_unknown_address_and_mails_no_one(
    app, client, mailbox, make_user
):
    user = make_user(Role.reviewer)
    db.session.commit()
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = app.test_client().post("/password/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(user.email, "EMAIL") == unknown.text.replace(
        "nobody@example.com", "EMAIL"
    )
    assert mailbox.to("nobody@example.com") == []
    assert len(mailbox.to(user.email)) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_an_expired_reset_link_is_refused_and_the_password_stays(client, mailbox, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(mailbox.one_to(user.email), "/password/reset")
    token = db.session.scalars(select(AccountToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 400
    response = reset(client, token_of(link))
    assert response.status_code == 400 and "Ask for a new link" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_a_newer_reset_link_replaces_the_older_one(client, mailbox, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    client.post("/password/forgot", data={"email": user.email})
    client.post("/password/forgot", data={"email": user.email})
    older, newer = (link_in(m, "/password/reset") for m in mailbox.to(user.email))
    assert reset(client, token_of(older)).status_code == 400
    assert reset(client, token_of(newer)).status_code == 302


def test_a_reset_link_confirms_an_unconfirmed_address(client, mailbox, make_user, make_account):
    user = make_user(Role.applicant, make_account())
    user.email_verified_at = None
    db.session.commit()
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(mailbox.one_to(user.email), "/password/reset")
    assert reset(client, token_of(link)).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_email_verified


def test_a_switched_off_user_gets_no_reset_mail(client, mailbox, make_user):
    user = make_user(Role.reviewer)
    user.is_active_user = False
    db.session.commit()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 200 and "we sent it a link" in response.text
    assert mailbox.to(user.email) == []
