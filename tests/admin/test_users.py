"""Admins manage users in the browser."""

from __future__ import annotations

from sqlalchemy import select

from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import Role, User


def test_admin_adds_a_reviewer_and_an_applicant(client, login, make_user, make_account):
    account = make_account()
    login(make_user(Role.admin))
    response = client.post(
        "/admin/users",
        data={"email": "Rev@Example.com", "role": "reviewer", "password": "long password 1"},
    )
    assert response.status_code == 302
    client.post(
        "/admin/users",
        data={
            "email": "colleague@example.com",
            "role": "applicant",
            "taobao_account_id": account.taobao_account_id,
            "password": "long password 2",
        },
    )
    reviewer = db.session.scalars(select(User).where(User.email == "rev@example.com")).one()
    colleague = db.session.scalars(select(User).where(User.email == "colleague@example.com")).one()
    assert reviewer.role is Role.reviewer and reviewer.check_password("long password 1")
    assert colleague.account_id == account.id
    page = client.get("/admin/users").get_data(as_text=True)
    assert "rev@example.com" in page and "long password" not in page


def test_applicant_needs_an_existing_account(client, login, make_user):
    login(make_user(Role.admin))
    response = client.post(
        "/admin/users",
        data={"email": "x@example.com", "role": "applicant", "password": "long password 1"},
    )
    assert b"existing account" in response.data
    assert db.session.scalars(select(User).where(User.email == "x@example.com")).all() == []


def test_switched_off_users_cannot_sign_in(app, client, login, make_user):
    admin, reviewer = make_user(Role.admin), make_user(Role.reviewer)
    login(admin)
    client.post(f"/admin/users/{reviewer.id}/access/off")
    db.session.expire_all()
    assert not db.session.get(User, reviewer.id).is_active
    other = app.test_client()
    response = other.post("/login", data={"email": reviewer.email, "password": PASSWORD})
    assert response.status_code == 200 and b"do not match" in response.data
    client.post(f"/admin/users/{admin.id}/access/off")
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


def test_only_admins_see_the_page(client, login, make_user):
    login(make_user(Role.reviewer))
    assert client.get("/admin/users").status_code == 404
