"""The foundation through HTTP: sign-in, registration, the journey page, queue, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Account, Event, Journey, Role, User
from workflow.operations import fire


def test_register_creates_account_user_and_journey(client):
    response = client.post(
        "/register",
        data={
            "email": "New@Example.com",
            "password": "long enough password",
            "confirm": "long enough password",
            "account_kind": "isv",
            "account_name": "杭州测试科技有限公司",
            "taobao_account_id": "hz_test_01",
        },
    )
    assert response.status_code == 200 and "Check your mailbox" in response.text
    user = db.session.scalars(select(User).where(User.email == "new@example.com")).one()
    assert user.role is Role.applicant and user.check_password("long enough password")
    assert user.account.name == "杭州测试科技有限公司"
    journey = db.session.scalars(select(Journey)).one()
    assert journey.state == "enablement_draft"
    signed_in = client.post(
        "/login", data={"email": "new@example.com", "password": "long enough password"}
    )
    assert signed_in.status_code == 302
    page = client.get(f"/journeys/{journey.id}")
    assert "杭州测试科技有限公司".encode() in page.data


def test_login_with_wrong_password_says_so(client, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "nope"})
    assert b"do not match" in response.data


def test_session_cookie_is_httponly_and_samesite(client, make_user, login):
    user = make_user(Role.reviewer)
    db.session.commit()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery staple"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_need_a_csrf_token(app, client, make_user):
    user = make_user(Role.reviewer)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": user.email, "password": "x"})
        assert response.status_code == 400
        assert b"expired" in response.data
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_applicant_gets_404_for_another_accounts_journey(
    client, make_account, make_user, make_journey, login
):
    mine, theirs = make_account(), make_account()
    me = make_user(Role.applicant, mine)
    their_journey = make_journey(theirs)
    login(me)
    for tab in ("", "/diagram.svg", "/timeline", "/diagram"):
        assert client.get(f"/journeys/{their_journey.id}{tab}").status_code == 404
    response = client.post(f"/journeys/{their_journey.id}/events/withdraw", data={"version": 1})
    assert response.status_code == 404
    assert db.session.get(Journey, their_journey.id).state == "enablement_draft"


def test_journey_page_shows_what_the_chart_allows(
    client, make_account, make_user, make_journey, login
):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="enablement_submitted")
    login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Approve" not in page and "Tmall Global is reviewing" in page
    client.post("/logout")
    login(reviewer)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    for label in ("Approve", "Request changes", "Reject finally"):
        assert label in page
    assert "Withdraw" not in page


def test_internal_notes_never_reach_the_applicant(
    client, make_account, make_user, make_journey, login
):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="api_access_submitted")
    fire(journey, "request_changes", reviewer, comment="Explain API use", note="INTERNAL-XYZ")
    db.session.commit()
    login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    trail = client.get(f"/journeys/{journey.id}/timeline").get_data(as_text=True)
    assert "Explain API use" in page and "INTERNAL-XYZ" not in page
    assert "Explain API use" in trail and "INTERNAL-XYZ" not in trail
    client.post("/logout")
    login(reviewer)
    assert "INTERNAL-XYZ" in client.get(f"/journeys/{journey.id}/timeline").get_data(as_text=True)


def test_reviewer_decision_through_the_page(client, make_account, make_user, make_journey, login):
    account = make_account()
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="api_access_submitted")
    login(reviewer)
    response = client.post(
        f"/journeys/{journey.id}/events/request_changes",
        data={"version": journey.version_id, "comment": "Add reasons", "note": "n"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "api_access_changes_requested"


def test_stale_page_gets_the_409_page(client, make_account, make_user, make_journey, login):
    account = make_account()
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="cloud_plan_submitted")
    stale = journey.version_id
    login(reviewer)
    client.post(f"/journeys/{journey.id}/events/approve", data={"version": stale})
    response = client.post(
        f"/journeys/{journey.id}/events/request_changes",
        data={"version": stale, "comment": "late"},
    )
    assert response.status_code == 409
    assert b"changed while you were looking at it" in response.data
    assert db.session.scalars(select(Event).where(Event.event == "request_changes")).all() == []


def test_destructive_events_ask_for_confirmation(
    client, make_account, make_user, make_journey, login
):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account)
    login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/events/withdraw", data={"version": journey.version_id}
    )
    assert response.status_code == 200 and b"cannot be undone" in response.data
    assert db.session.get(Journey, journey.id).state == "enablement_draft"
    client.post(
        f"/journeys/{journey.id}/events/withdraw",
        data={"version": journey.version_id, "confirm": "yes"},
    )
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "withdrawn"


def test_diagram_is_svg_with_the_current_state_filled(
    client, make_account, make_user, make_journey, login
):
    account = make_account()
    journey = make_journey(account, state="sandbox_verification")
    login(make_user(Role.applicant, account))
    response = client.get(f"/journeys/{journey.id}/diagram.svg")
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg and "Sandbox verification" in svg
    # The cloud check is reviewed like every submission; the applicant cannot deploy alone.
    assert "Cloud verification submitted" in svg and "confirm_deployment" not in svg
    assert "#ffd166" in svg  # the active fill
    assert "http://" not in svg.split("<svg", 1)[1].replace("http://www.w3.org", "")


def test_queue_lists_waiting_journeys_oldest_first(
    client, make_account, make_user, make_journey, login
):
    now = datetime.now(UTC)
    names = []
    for hours, state in (
        (5, "enablement_submitted"),
        (50, "exemption_submitted"),
        (1, "app_draft"),
    ):
        account = make_account(name=f"Waited {hours}h")
        journey = make_journey(account, state=state)
        journey.state_changed_at = now - timedelta(hours=hours)
        names.append(account.name)
    db.session.commit()
    login(make_user(Role.reviewer))
    page = client.get("/review/").get_data(as_text=True)
    assert page.index("Waited 50h") < page.index("Waited 5h")
    assert "Waited 1h" not in page  # a draft does not wait for a reviewer
    assert "2 d 2 h" in page


def test_applicants_cannot_open_the_queue(client, make_account, make_user, login):
    login(make_user(Role.applicant, make_account()))
    assert client.get("/review/").status_code == 404


def test_error_pages_are_styled_and_hide_internals(app, client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"TOP Onboarding Desk" in response.data and b"Traceback" not in response.data


def test_unexpected_errors_get_the_500_page(app, client, make_user, login, monkeypatch):
    login(make_user(Role.reviewer))
    from workflow.review import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom-internal-detail")

    monkeypatch.setattr(views, "review_queue", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/review/")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert b"boom-internal-detail" not in response.data and b"went wrong" in response.data


def test_accounts_are_enabled_by_the_approval(make_account, make_user, make_journey, monkeypatch):
    from workflow import requirements

    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    account = make_account()
    journey = make_journey(account, state="enablement_submitted")
    fire(journey, "approve", make_user(Role.reviewer))
    assert db.session.get(Account, account.id).is_enabled


def test_double_submit_is_harmless(client, make_account, make_user, make_journey, login):
    account = make_account()
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="cloud_plan_submitted")
    seen = journey.version_id
    login(reviewer)
    first = client.post(f"/journeys/{journey.id}/events/approve", data={"version": seen})
    second = client.post(
        f"/journeys/{journey.id}/events/approve", data={"version": seen}, follow_redirects=True
    )
    assert first.status_code == 302 and second.status_code == 200
    assert b"already done" in second.data
    approvals = db.session.scalars(select(Event).where(Event.event == "approve")).all()
    assert len(approvals) == 1


def test_the_page_lists_what_the_next_step_needs_beyond_submitting(
    client, make_account, make_user, make_journey, login
):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, state="sandbox_verification")
    login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Before you can go on" in page
    assert "sandbox" in page.split("Before you can go on", 1)[1].split("</section>", 1)[0].lower()


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Not on files: a policy on a PDF would stop the browser's own viewer from drawing it.
    assert "Content-Security-Policy" not in client.get("/static/css/app.css").headers


def test_users_change_their_password(app, client, make_user, login):
    user = make_user(Role.reviewer)
    login(user)
    wrong = client.post(
        "/account/password",
        data={
            "current": "nope",
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert b"not your current password" in wrong.data
    done = client.post(
        "/account/password",
        data={
            "current": "correct horse battery staple",
            "password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a new long password")
