"""What the pages say is true (issue 13, item 5): a released APP is live with nothing
"missing", waiting states say what Tmall Global is doing, comments on the dashboard are the
reviewer's, check rows read as what happened, sizes have one format, states have human names,
and the conflict page names who acted first."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from top.gateway import DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.models import AccountKind, Journey, ReviewStatus, Role
from workflow.models.base import utcnow
from workflow.operations import fire
from workflow.stages import REVIEW_STATES, STATE_NAMES, WAITING

pytestmark = pytest.mark.usefixtures("database")


def _text(response) -> str:
    """The page's visible words, tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def seller(make_account, make_user):
    account = make_account(AccountKind.seller, name="Truth Flagship Store")
    return account, make_user(Role.applicant, account)


def _released(make_journey, account, applicant):
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "released"
    journey.released_at = utcnow() - timedelta(days=2)
    journey.account.enabled_at = utcnow() - timedelta(days=9)
    db.session.commit()
    return journey


def test_a_released_app_is_live_and_nothing_is_missing(seller, make_journey, login):
    account, applicant = seller
    journey = _released(make_journey, account, applicant)
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}"))
    assert "Your APP is live" in page
    assert f"was released on {journey.released_at:%Y-%m-%d %H:%M} UTC" in page
    assert "What you can still change" in page and "The authorization list of seller IDs" in page
    assert "Required configurations" in page
    assert "Before you can go on" not in page and "Save a new authorization list" not in page
    assert "missing" not in page.lower()
    dashboard = _text(client.get("/journeys"))
    assert "Live Released" in dashboard and "Missing" not in dashboard
    assert "To do next" not in dashboard


def test_before_release_the_page_still_names_what_is_missing(seller, make_journey, login):
    account, applicant = seller
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "distribution_setup"
    db.session.commit()
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}"))
    assert "Before you can go on" in page and "Your APP is live" not in page
    assert "To do next: Save the authorization list" in _text(client.get("/journeys"))


@pytest.mark.parametrize("state", sorted(REVIEW_STATES))
def test_every_waiting_state_says_what_tmall_global_does_since_when(
    state, seller, make_journey, login
):
    account, applicant = seller
    journey = make_journey(account, applicant, state=state)
    journey.state_changed_at = utcnow() - timedelta(hours=5, minutes=3)
    db.session.commit()
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}"))
    waiting = WAITING[state]
    assert "Waiting for Tmall Global" in page
    assert waiting.doing in page and f"What you can do: {waiting.you_can}" in page
    assert f"Since {journey.state_changed_at:%Y-%m-%d %H:%M} UTC (5 h 3 min)" in page
    assert "Tmall Global is reviewing your submission" not in page
    assert waiting.doing in _text(client.get("/journeys"))


def test_meeting_and_provisioning_say_more_than_reviewing(seller, make_journey, login):
    account, applicant = seller
    client = login(applicant)
    meeting = make_journey(account, applicant, state="confabulation")
    page = _text(client.get(f"/journeys/{meeting.id}"))
    assert "called a business meeting" in page and "agree a date" in page
    assert "Business meeting" in page and "confabulation" not in page.lower()
    provisioning = make_journey(account, applicant, state="cloud_provisioning")
    page = _text(client.get(f"/journeys/{provisioning.id}"))
    assert "configuring your Taobao cloud environment" in page
    assert "order the resources in your plan and port the APP" in page


def test_the_second_release_review_keeps_the_app_live(seller, make_journey, login):
    account, applicant = seller
    journey = _released(make_journey, account, applicant)
    journey.state = "authorization_submitted"
    db.session.commit()
    page = _text(login(applicant).get(f"/journeys/{journey.id}"))
    assert "Your APP stays live, with the list in force" in page


def test_the_dashboard_shows_the_reviewers_comment_not_the_applicants(
    seller, make_journey, make_user, login
):
    account, applicant = seller
    reviewer = make_user(Role.reviewer)
    reviewer.name = "Rita Reviewer"
    journey = make_journey(account, applicant, state="mrd_prd_submitted")
    fire(journey, "request_changes", reviewer, comment="Give a reason for each API.")
    # The applicant's own comment comes later; the dashboard still shows the reviewer's.
    fire(journey, "choose_exemption", applicant, comment="Reasons added, please look again.")
    db.session.commit()
    dashboard = _text(login(applicant).get("/journeys"))
    assert "Latest comment from Tmall Global (Rita Reviewer," in dashboard
    assert "Give a reason for each API." in dashboard
    assert "Reasons added" not in dashboard and "Latest reviewer comment" not in dashboard


def test_register_another_app_waits_for_a_first_app(seller, make_journey, login):
    account, applicant = seller
    first = make_journey(account, applicant, state="app_draft")  # opened at enablement
    account.enabled_at = utcnow()
    client = login(applicant)
    dashboard = _text(client.get("/journeys"))
    assert "Register another APP" not in dashboard
    assert "Your first APP (not registered yet)" in dashboard
    refused = client.post("/journeys/new", follow_redirects=True)
    assert "Register your first APP in your current journey" in _text(refused)
    assert db.session.scalar(select(func.count(Journey.id))) == 1

    register_demo_app(first, applicant)
    db.session.commit()
    assert "Register another APP" in _text(client.get("/journeys"))
    created = client.post("/journeys/new")
    assert created.status_code == 302
    second = db.session.scalars(select(Journey).order_by(Journey.id.desc())).first()
    assert second.id != first.id and second.state == "app_draft"
    page = _text(client.get(f"/journeys/{second.id}"))
    assert "A new APP (not registered yet)" in page
    assert "Developer account enablement" not in page
    assert "Developer account enablement" not in _text(client.get("/journeys"))


def test_every_state_has_a_human_name_in_pages_mail_and_the_diagram(seller, make_journey, login):
    from workflow.chart import JourneyChart

    assert set(STATE_NAMES) == {state.id for state in JourneyChart.states}
    assert STATE_NAMES["confabulation"] == "Business meeting"
    account, applicant = seller
    journey = make_journey(account, applicant, state="confabulation")
    client = login(applicant)
    assert "Business meeting" in _text(client.get(f"/journeys/{journey.id}"))
    svg = client.get(f"/journeys/{journey.id}/diagram.svg").get_data(as_text=True)
    assert "Business meeting" in svg and "confabulation</text>" not in svg
    assert "Business confabulation" not in svg


@pytest.fixture
def checking(seller, make_journey, login, app, monkeypatch):
    account, applicant = seller
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    for request in journey.app.api_requests:
        request.decision = ReviewStatus.accepted
    journey.state = "sandbox_verification"
    db.session.commit()
    with LocalGateway() as gateway:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", gateway.url)
        yield journey, login(applicant)


FORM = {"gateway": "default", "sign_method": "hmac-sha256", "session": DEMO_SESSION,
        "attach": "no"}  # fmt: skip


def _rows(page: str) -> dict[str, str]:
    rows = re.findall(r'<tr class="check-(\w+)">\s*<td data-label="Check">([^<]+)</td>(.*?)</tr>',
                      page, re.S)  # fmt: skip
    return {name: (outcome, body) for outcome, name, body in rows}


def test_skipped_checks_are_grey_and_passing_rows_show_no_code(checking):
    journey, client = checking
    failed = client.post(
        f"/journeys/{journey.id}/check/sandbox", data={**FORM, "app_secret": "not-the-secret"}
    ).get_data(as_text=True)
    rows = _rows(failed)
    outcome, body = rows["app_key_signature"]
    assert outcome == "failed" and '<span class="badge fail">Failed</span>' in body
    skipped = [name for name, (outcome, _) in rows.items() if outcome == "skipped"]
    assert skipped and all(name.startswith(("session", "api:")) for name in skipped)
    for name in skipped:
        assert '<span class="badge skipped">Skipped</span>' in rows[name][1]
        assert "Failed" not in rows[name][1]

    passed = client.post(
        f"/journeys/{journey.id}/check/sandbox",
        data={**FORM, "app_secret": DEMO_APP_SECRET, "rules": "y"},
    ).get_data(as_text=True)
    rows = _rows(passed)
    assert rows and all(outcome == "ok" for outcome, _ in rows.values())
    for _, body in rows.values():
        code = re.search(r'<td data-label="Code">(.*?)</td>', body, re.S).group(1)
        assert code.strip() == ""
    split = rows["rule:taobao.logistics.offline.send:split"][1]
    assert "(the expected answer: isv.logistics-offline-service-error:CD26)" in split


def test_the_conflict_page_names_who_did_what_and_when(
    seller, make_journey, make_user, login, client
):
    account, _ = seller
    first, second = make_user(Role.reviewer), make_user(Role.reviewer)
    first.name = "Rita Reviewer"
    journey = make_journey(account, state="cloud_plan_submitted")
    seen = journey.version_id
    fire(journey, "approve", first)
    db.session.commit()
    login(second)
    response = client.post(
        f"/journeys/{journey.id}/events/request_changes",
        data={"version": seen, "comment": "Name the database service.", "note": "checked"},
    )
    assert response.status_code == 409
    page = _text(response)
    # A reviewer reads times in Hangzhou's zone until they choose another.
    approved_at = journey.events[-1].created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (
        f"Rita Reviewer did “Approve” at {approved_at:%Y-%m-%d %H:%M} China Standard Time" in page
    )
    assert "is now “Cloud provisioning”. Nothing you sent was applied." in page
    raw = response.get_data(as_text=True)
    assert ">Name the database service.</textarea>" in raw and ">checked</textarea>" in raw
    assert f'href="/journeys/{journey.id}">Reload the journey</a>' in raw
    assert db.session.get(Journey, journey.id).state == "cloud_provisioning"


def test_file_sizes_have_one_format(seller, make_journey, login):
    import io

    from workflow.enablement.samples import sample_pdf
    from workflow.formatting import file_size

    assert [file_size(n) for n in (0, 1, 812, 1024, 1946, 25_702, 5 * 1024**2)] == [
        "0 bytes", "1 byte", "812 bytes", "1.0 KB", "1.9 KB", "25.1 KB", "5.0 MB",
    ]  # fmt: skip
    account, applicant = seller
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "mrd_prd_draft"
    db.session.commit()
    client = login(applicant)
    pdf = sample_pdf("Product requirements", "Order sync")
    saved = client.post(
        f"/journeys/{journey.id}/forms/prd/document",
        data={"document": (io.BytesIO(pdf), "prd.pdf")},
    )
    assert saved.status_code == 302
    page = _text(client.get(f"/journeys/{journey.id}"))
    assert f"prd.pdf {file_size(len(pdf))} · SHA-256" in page
    assert not re.search(r"\d bytes|\d kB\b", page)


def test_applicants_are_not_told_to_run_the_verify_command(
    seller_submission, make_user, login, client
):
    from workflow.models import Packet

    journey, applicant, submit = seller_submission
    submit()
    packet = db.session.scalars(select(Packet).where(Packet.journey_id == journey.id)).one()
    page = _text(login(applicant).get(f"/journeys/{journey.id}"))
    assert "Submission packets" in page and packet.reference in page
    assert "flask packets verify" not in page and "cover page explains how to check it" in page
    client.post("/logout")
    staff_page = _text(login(make_user(Role.reviewer)).get(f"/journeys/{journey.id}"))
    assert "Verify one with flask packets verify FILE" in staff_page
