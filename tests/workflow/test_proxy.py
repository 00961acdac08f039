"""Behind a TLS-terminating proxy, PROXY_FIX_HOPS lets the desk see the browser's HTTPS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from tests.support import PASSWORD, desk_config
from workflow.models import Role

PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "desk.example.com"}


def desk_behind_proxy(app, tmp_path: Path, hops: int):
    config = desk_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
    config.update(WTF_CSRF_ENABLED=True, PROXY_FIX_HOPS=hops)
    return create_app(config)


def sign_in(desk, email: str, referrer: str):
    client = desk.test_client()
    page = client.get("/login", headers=PROXY_HEADERS).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        headers={**PROXY_HEADERS, "Referer": referrer},
    )


@pytest.fixture
def reviewer(database, make_user):
    user = make_user(Role.reviewer)
    database.session.commit()
    # Keep the user's fields but no open transaction: on SQLite it would hold the write lock
    # that the desk under test, on its own engine, needs to sign in.
    database.session.refresh(user)
    database.session.expunge(user)
    database.session.rollback()
    return user


def test_one_trusted_proxy_makes_form_posts_check_their_https_referrer(app, tmp_path, reviewer):
    desk = desk_behind_proxy(app, tmp_path, hops=1)
    refused = sign_in(desk, reviewer.email, "https://elsewhere.example/login")
    assert refused.status_code == 400
    assert "came from elsewhere" in refused.get_data(as_text=True)
    accepted = sign_in(desk, reviewer.email, "https://desk.example.com/login")
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/"


def test_without_proxy_fix_forwarded_headers_are_not_believed(app, tmp_path, reviewer):
    desk = desk_behind_proxy(app, tmp_path, hops=0)
    # The request looks like plain HTTP to the desk, so the HTTPS-only referrer check is skipped.
    response = sign_in(desk, reviewer.email, "https://elsewhere.example/login")
    assert response.status_code == 302
