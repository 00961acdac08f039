"""Personal API tokens: made on the settings page and shown once, stored as a hash, listed with
their last use, revoked with a confirmation; expired and revoked ones get a 401 problem."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.api.conftest import bearer
from workflow.extensions import db
from workflow.models import AccountKind, ApiToken, Role
from workflow.models.api import token_digest
from workflow.models.base import utcnow

TOKEN = re.compile(r"tod_[A-Za-z0-9_-]{43}")


def _make_on_page(client, **form):
    data = {"name": "CI script", "read": "y", "days": "30", **form}
    return client.post("/account/api-tokens", data=data)


def test_a_token_made_on_the_settings_page_is_shown_once_and_stored_as_a_hash(
    make_account, make_user, login
):
    user = make_user(Role.applicant, make_account(AccountKind.isv))
    client = login(user)
    page = _make_on_page(client, write="y")
    assert page.status_code == 200
    [token] = TOKEN.findall(page.get_data(as_text=True))
    [row] = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == token_digest(token) and row.scopes == "read write"
    assert row.prefix == token[:12] and row.name == "CI script"
    stored = repr([getattr(row, c.key) for c in ApiToken.__table__.columns])
    assert token not in stored and token[12:] not in stored
    # The list shows its prefix and that it was never used, never the token itself.
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert token not in again and f"{token[:12]}…" in again and "never" in again
    assert client.get("/api/v1/journeys", headers=bearer(token)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    listed = client.get("/account/api-tokens").get_data(as_text=True)
    assert "never" not in listed.split("Your tokens")[1].split("Make a token")[0]


def test_the_form_keeps_what_was_typed_when_no_scope_is_chosen(make_account, make_user, login):
    user = make_user(Role.applicant, make_account(AccountKind.isv))
    client = login(user)
    page = client.post("/account/api-tokens", data={"name": "Nightly export", "days": "30"})
    text = page.get_data(as_text=True)
    assert "Choose what the token may do" in text and 'value="Nightly export"' in text
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_revoking_asks_for_a_confirmation_and_then_the_token_gets_401(
    make_account, make_user, login, token_for
):
    user = make_user(Role.applicant, make_account(AccountKind.isv))
    token = token_for(user)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    client = login(user)
    refused = client.post(f"/account/api-tokens/{row.id}/revoke", data={})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None
    done = client.post(f"/account/api-tokens/{row.id}/revoke", data={"confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None
    answer = client.get("/api/v1/journeys", headers=bearer(token))
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["detail"] == "This API token was revoked."


def test_nobody_revokes_another_users_token(make_account, make_user, login, token_for):
    owner = make_user(Role.applicant, make_account(AccountKind.isv))
    token_for(owner)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    other = make_user(Role.admin)
    client = login(other)
    assert (
        client.post(f"/account/api-tokens/{row.id}/revoke", data={"confirm": "y"}).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_an_expired_or_unknown_token_gets_a_401_problem(make_account, make_user, client, token_for):
    user = make_user(Role.applicant, make_account(AccountKind.isv))
    token = token_for(user)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for header, detail in [
        (bearer(token), "This API token has expired."),
        (bearer("tod_" + "x" * 43), "Send a valid personal API token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Send a valid personal API token"),
        ({}, "Send a valid personal API token"),
    ]:
        answer = client.get("/api/v1/journeys", headers=header)
        assert answer.status_code == 401, header
        body = answer.get_json()
        assert answer.mimetype == "application/problem+json"
        assert body["status"] == 401 and body["detail"].startswith(detail)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoke_without_confirmation_shows_its_error_under_that_token_only(
    make_account, make_user, login, token_for
):
    user = make_user(Role.applicant, make_account(AccountKind.isv))
    for _ in range(3):
        token_for(user)
    ids = sorted(db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id)))
    client = login(user)
    refused = client.post(f"/account/api-tokens/{ids[1]}/revoke", data={})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    rows = {
        token_id: page.split(f"/account/api-tokens/{token_id}/revoke")[1].split("</form>")[0]
        for token_id in ids
    }
    error = "This field is required."
    assert error in rows[ids[1]]
    assert [token_id for token_id, row in rows.items() if error in row] == [ids[1]]
    assert page.count(error) == 1
