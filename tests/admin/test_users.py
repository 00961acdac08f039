"""Admins manage users in the browser: they invite by mail and send reset links, and never
choose anyone's password."""

from __future__ import annotations

from sqlalchemy import select

from tests.auth.conftest import body_of, link_in, token_of
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import AccountToken, Role, TokenPurpose, User
from workflow.models.base import utcnow

CHOSEN = "my own chosen passphrase"


def user_of(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.email == email)).one_or_none()


def accept(client, token: str, password: str = CHOSEN, name: str = ""):
    return client.post(
        "/invitation",
        data={"token": token, "password": password, "confirm": password, "name": name},
    )


def test_an_invited_reviewer_sets_their_own_password_end_to_end(
    app, client, login, make_user, mailbox
):
    admin = make_user(Role.admin)
    admin.name = "Ada Admin"
    login(admin)
    response = client.post(
        "/admin/users",
        data={"email": "Rev@Example.com", "role": "reviewer", "name": "Rita"},
    )
    assert response.status_code == 302
    invited = user_of("rev@example.com")
    assert invited.role is Role.reviewer and invited.name == "Rita"
    assert not invited.is_email_verified
    page = client.get("/admin/users").get_data(as_text=True)
    assert "rev@example.com" in page and "not confirmed" in page

    message = mailbox.one_to("rev@example.com")
    assert message["Subject"] == "[TOP onboarding] You are invited to the TOP Onboarding Desk"
    assert "Ada Admin invited you to the TOP Onboarding Desk as a reviewer" in body_of(message)
    assert "works once, for 7 days" in body_of(message)
    link = link_in(message, "/invitation")

    invitee = app.test_client()
    form = invitee.get(link)
    assert form.status_code == 200 and "rev@example.com" in form.text and "Rita" in form.text
    assert accept(invitee, token_of(link), name="Rita Reviewer").status_code == 302
    accepted = user_of("rev@example.com")
    assert accepted.check_password(CHOSEN) and accepted.is_email_verified
    assert accepted.name == "Rita Reviewer"
    signed_in = invitee.post("/login", data={"email": "rev@example.com", "password": CHOSEN})
    assert signed_in.status_code == 302
    assert invitee.get("/review/").status_code == 200

    again = accept(app.test_client(), token_of(link), "someone else's pass")
    assert again.status_code == 400 and "new invitation" in again.text
    assert user_of("rev@example.com").check_password(CHOSEN)


def test_an_applicant_is_invited_into_an_existing_account(
    client, login, make_user, make_account, mailbox
):
    account = make_account()
    login(make_user(Role.admin))
    client.post(
        "/admin/users",
        data={
            "email": "colleague@example.com",
            "role": "applicant",
            "taobao_account_id": account.taobao_account_id.upper(),
        },
    )
    colleague = user_of("colleague@example.com")
    assert colleague.account_id == account.id
    body = body_of(mailbox.one_to("colleague@example.com"))
    assert f"an applicant of the developer account {account.name}" in body


def test_the_invitation_form_sets_no_password(client, login, make_user, mailbox):
    login(make_user(Role.admin))
    client.post(
        "/admin/users",
        data={"email": "x@example.com", "role": "reviewer", "password": "admin chose this"},
    )
    invited = user_of("x@example.com")
    assert invited is not None and not invited.check_password("admin chose this")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'type="password"' not in page


def test_an_applicant_needs_an_existing_account(client, login, make_user, mailbox):
    login(make_user(Role.admin))
    response = client.post("/admin/users", data={"email": "x@example.com", "role": "applicant"})
    assert b"existing account" in response.data
    assert user_of("x@example.com") is None
    assert mailbox.to("x@example.com") == []


def test_an_expired_invitation_is_refused(client, login, make_user, mailbox):
    login(make_user(Role.admin))
    client.post("/admin/users", data={"email": "late@example.com", "role": "reviewer"})
    link = link_in(mailbox.one_to("late@example.com"), "/invitation")
    token = db.session.scalars(
        select(AccountToken).where(AccountToken.purpose == TokenPurpose.invitation)
    ).one()
    token.expires_at = utcnow()
    db.session.commit()
    assert accept(client, token_of(link)).status_code == 400
    assert not user_of("late@example.com").is_email_verified


def test_an_admin_mails_a_reset_link_and_the_password_stays_until_used(
    app, client, login, make_user, mailbox
):
    admin, reviewer = make_user(Role.admin), make_user(Role.reviewer)
    login(admin)
    response = client.post(f"/admin/users/{reviewer.id}/password-reset", follow_redirects=True)
    assert f"A link to set a new password is in the mail to {reviewer.email}" in response.text
    message = mailbox.one_to(reviewer.email)
    assert "an admin of the TOP Onboarding Desk, sent you a link" in body_of(message)
    assert user_of(reviewer.email).check_password(PASSWORD)
    link = link_in(message, "/password/reset")
    owner = app.test_client()
    done = owner.post(
        "/password/reset", data={"token": token_of(link), "password": CHOSEN, "confirm": CHOSEN}
    )
    assert done.status_code == 302
    assert user_of(reviewer.email).check_password(CHOSEN)


def test_no_reset_link_for_a_switched_off_user(client, login, make_user, mailbox):
    admin, reviewer = make_user(Role.admin), make_user(Role.reviewer)
    reviewer.is_active_user = False
    login(admin)
    response = client.post(f"/admin/users/{reviewer.id}/password-reset", follow_redirects=True)
    assert "Switch sign-in on" in response.text
    assert mailbox.to(reviewer.email) == []


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


def test_a_control_character_in_the_invitees_name_is_a_form_error(
    app, client, login, make_user, mailbox
):
    login(make_user(Role.admin))
    client.post("/admin/users", data={"email": "nul@example.com", "role": "reviewer"})
    link = link_in(mailbox.one_to("nul@example.com"), "/invitation")
    response = accept(app.test_client(), token_of(link), name="Ri\x00ta")
    assert response.status_code == 200 and "contains a control character" in response.text
    assert not user_of("nul@example.com").is_email_verified
