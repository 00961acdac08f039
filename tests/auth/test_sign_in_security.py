"""Wrong passwords are throttled per address and per e-mail, the same work is done for every
e-mail, and sessions end when their user's session token rotates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support import PASSWORD
from workflow.auth import operations
from workflow.extensions import db
from workflow.models import Role, SignInFailure
from workflow.models import accounts as account_models

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
OWNER = {"REMOTE_ADDR": "203.0.113.20"}


def sign_in(client, email: str, password: str, environ=None):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base=environ or {}
    )


def failures() -> int:
    return db.session.scalar(select(func.count()).select_from(SignInFailure))


@pytest.fixture
def stopped_clock(monkeypatch):
    """The throttle's clock stands still, so a slow machine cannot outwait a delay."""
    now = operations.utcnow()
    monkeypatch.setattr(operations, "utcnow", lambda: now)
    return now


def test_the_21st_wrong_password_in_a_minute_from_one_address_gets_429(
    app, client, make_user, stopped_clock
):
    owner = make_user(Role.reviewer)
    db.session.commit()
    for n in range(operations.ADDRESS_LIMIT):
        response = sign_in(client, f"guess{n}@example.com", "wrong", ATTACKER)
        assert response.status_code == 200, n
        assert "do not match an account" in response.text
    assert failures() == operations.ADDRESS_LIMIT
    response = sign_in(client, owner.email, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Too many wrong passwords from your address" in response.text
    assert owner.email in response.text  # the form keeps what was typed
    other = app.test_client()
    assert sign_in(other, owner.email, PASSWORD, OWNER).status_code == 302
    # A minute later the address may try again.
    for row in db.session.scalars(select(SignInFailure)):
        row.created_at -= timedelta(seconds=61)
    db.session.commit()
    assert sign_in(app.test_client(), owner.email, PASSWORD, ATTACKER).status_code == 302


def test_wrong_passwords_for_one_e_mail_slow_that_address_only(
    app, client, make_user, stopped_clock
):
    owner = make_user(Role.reviewer)
    db.session.commit()
    for _ in range(operations.FREE_TRIES):
        assert sign_in(client, owner.email, "wrong", ATTACKER).status_code == 200
    response = sign_in(client, owner.email, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "Several wrong passwords for this e-mail" in response.text
    assert response.headers["Retry-After"] == "2"
    # The owner, elsewhere, is not slowed down: no lockout an attacker can cause.
    assert sign_in(app.test_client(), owner.email, PASSWORD, OWNER).status_code == 302
    # An unknown e-mail is slowed the same way, so the delay tells nobody which exist.
    for _ in range(operations.FREE_TRIES):
        sign_in(client, "nobody@example.com", "wrong", ATTACKER)
    assert sign_in(client, "nobody@example.com", "x", ATTACKER).status_code == 429


def test_a_password_hash_is_checked_whether_or_not_the_e_mail_exists(
    client, make_user, monkeypatch
):
    user = make_user(Role.reviewer)
    db.session.commit()
    checked = []
    real = operations.check_password_hash

    def counting(stored_hash, password):
        checked.append(password)
        return real(stored_hash, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    monkeypatch.setattr(account_models, "check_password_hash", counting)
    sign_in(client, "nobody@example.com", "guess-one")
    sign_in(client, user.email, "guess-two")
    assert checked == ["guess-one", "guess-two"]


def _signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert client.get("/review/").status_code == 200
    return client


def _is_signed_out(client) -> bool:
    response = client.get("/review/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    assert laptop.post("/logout").status_code == 302
    assert _is_signed_out(phone) and _is_signed_out(laptop)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    new = "a brand new passphrase 42"
    response = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "password": new, "confirm": new},
    )
    assert response.status_code == 302, response.text[:400]
    assert laptop.get("/review/").status_code == 200
    assert _is_signed_out(phone)


def test_an_admin_switching_access_off_ends_the_session_now(app, login, make_user):
    reviewer = make_user(Role.reviewer)
    admin = make_user(Role.admin)
    db.session.commit()
    session = _signed_in(app, reviewer)
    login(admin).post(f"/admin/users/{reviewer.id}/access/off")
    assert _is_signed_out(session)


@pytest.mark.parametrize("cookie_id", ["1", "1:", "x:y", "99999999999:abc", "1:" + "a" * 40])
def test_stale_or_forged_session_ids_are_signed_out_not_errors(app, make_user, cookie_id):
    make_user(Role.reviewer)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
        session["_fresh"] = True
    assert _is_signed_out(client)
