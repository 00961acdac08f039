"""Ids in paths stay within what the database holds; every ``next`` stays on the site."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import Role
from workflow.web.urls import MAX_ID, safe_next

LEAVING_THE_SITE = [
    "//evil.example",
    "/\t/evil.example",  # what ?next=/%09/evil.example decodes to; browsers drop the tab
    "/\n/evil.example",
    "/\r/evil.example",
    "/\x00/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /journeys",
    "/\u3000/evil.example",
    "/" + "a" * 2001,
    "",
    None,
]


@pytest.mark.parametrize("target", LEAVING_THE_SITE)
def test_targets_that_could_leave_the_site_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/journeys/12", "/review/?stage=2&page=3", "/%2F%2Fevil.example"]
)
def test_paths_on_the_site_pass_unchanged(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("query", ["/%09/evil.example", "/%0a/evil.example", "//evil.example"])
def test_sign_in_never_sends_a_user_off_the_site(client, make_user, query):
    user = make_user(Role.reviewer)
    db.session.commit()
    response = client.post(f"/login?next={query}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_path_on_the_site(client, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    response = client.post(
        "/login?next=/review/%3Fpage%3D2", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/review/?page=2"


@pytest.mark.parametrize("journey_id", [MAX_ID + 1, 2**63, 10**30])
def test_ids_past_what_the_database_holds_are_not_found(login, make_user, journey_id):
    client = login(make_user(Role.reviewer))
    assert client.get(f"/journeys/{journey_id}").status_code == 404
    assert client.get(f"/journeys/{MAX_ID}").status_code == 404  # in range, and simply absent


def test_signed_in_pages_are_not_stored_and_hsts_follows_the_secure_cookie(
    app, client, login, make_user, monkeypatch
):
    assert "Cache-Control" not in client.get("/login").headers
    signed_in = login(make_user(Role.reviewer))
    assert signed_in.get("/").headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in signed_in.get("/").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
