"""The sandbox is recommended, not forced (guide §3.2; issue 12, items 7 and 10), through HTTP.

- A TP takes the ISV's path, continues without sandbox verification (a confirmed choice the
  trail records) and is released on its own-server exemption.
- A reviewer requires the sandbox for an APP, with a reason: the applicant sees it, skipping is
  refused with it, and the APP goes on only through a passing sandbox check.

The steps and helpers are those of ``tests/test_end_to_end.py``.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    _party,
    client_for,
    decide,
    desk_storage,
    fire_event,
    save_isv_details,
    seller,
    state_of,
    upload_all,
    versions,
)
from tests.page_cost import assert_journey_page_is_cheap
from tests.test_end_to_end import (  # noqa: F401  (the gateway fixture)
    _apply_for_apis,
    _assert_log_replays,
    _distribute,
    _enable_seller,
    _exemption,
    _ok,
    _post,
    _read_packets,
    _trail,
    _verify_sandbox,
    gateway,
)
from workflow.extensions import db
from workflow.models import AccountKind, App, Event, Journey, OutboxMessage

REASON = "The APP writes delivery data: show it against the sandbox before it touches sellers."


@pytest.fixture
def tp(make_account, make_user, make_journey, desk_storage):  # noqa: F811
    return _party(AccountKind.tp, make_account, make_user, make_journey)


def _page(client, jid, tab: str = "") -> str:
    """The journey page, or one of its tabs (``/timeline``)."""
    return html.unescape(client.get(f"/journeys/{jid}{tab}").get_data(as_text=True))


def _refusals(response) -> list[str]:
    """The errors of a refused request: the journey page again, as a 400, with them on top."""
    assert response.status_code == 400, response.status_code
    page = response.get_data(as_text=True)
    return [
        html.unescape(m) for m in re.findall(r'class="flash flash-error"[^>]*>(.*?)</div>', page)
    ]


def _skip(client, jid, *, confirm: bool):
    db.session.expire_all()
    version = db.session.get(Journey, jid).version_id
    data = {"version": version, "confirm": "yes" if confirm else ""}
    return client.post(f"/journeys/{jid}/events/skip_sandbox", data=data)


def _app_of(jid) -> App:
    db.session.expire_all()
    return db.session.get(Journey, jid).app


def test_a_tp_continues_without_the_sandbox_and_is_released(tp, client_for):  # noqa: F811
    applicant, reviewer = client_for(tp.applicant), client_for(tp.reviewer)
    jid = tp.journey.id
    assert "company details and documents a–f" in _page(applicant, jid)
    early = _skip(applicant, jid, confirm=False)
    # Not asked about: the step is not open yet, and the page says so.
    assert _refusals(early) == [
        "“Continue without sandbox verification” is not possible while the journey is "
        "“Enablement draft”."
    ]
    save_isv_details(applicant, jid)
    upload_all(applicant, tp)
    _ok(fire_event(applicant, jid, "submit"))
    for version in versions(jid):
        _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "enabled"
    _apply_for_apis(applicant, reviewer, jid, new=False)

    page = _page(applicant, jid)
    assert "recommends verifying the APP through the sandbox" in page
    assert "Continue without sandbox verification" in page
    asked = _skip(applicant, jid, confirm=False)
    assert asked.status_code == 200  # a page of its own asks first; nothing changed yet
    text = html.unescape(asked.get_data(as_text=True))
    assert "Continue without sandbox verification?" in text
    assert "the trail records your choice and Tmall Global sees it" in text
    assert state_of(jid) == "api_access_granted"
    _ok(_skip(applicant, jid, confirm=True))
    assert state_of(jid) == "sandbox_skipped"
    assert "You can still start sandbox verification" in _page(applicant, jid)

    _ok(fire_event(applicant, jid, "choose_exemption"))
    _post(applicant, f"/journeys/{jid}/forms/exemption", _exemption())
    _ok(fire_event(applicant, jid, "submit"))
    review_page = _page(reviewer, jid)
    assert "TP (Taobao Partner)" in review_page
    trail = _page(reviewer, jid, "/timeline")
    assert "Continue without sandbox verification" in trail  # the step, in the timeline
    _ok(fire_event(reviewer, jid, "approve"))
    _ok(fire_event(applicant, jid, "start_distribution"))
    _distribute(applicant, reviewer, jid, ["3001", "3002"], confirm=[])
    assert state_of(jid) == "released"

    trail = _trail(jid)
    assert "skip_sandbox" in trail and "evidence.attached" not in trail
    assert "start_sandbox" not in trail and "confirm_sandbox" not in trail
    skipped = db.session.scalars(
        select(Event).where(Event.journey_id == jid, Event.event == "skip_sandbox")
    ).one()
    assert (skipped.from_state, skipped.to_state) == ("api_access_granted", "sandbox_skipped")
    assert skipped.actor_id == tp.applicant.id
    _assert_log_replays()
    assert_journey_page_is_cheap(applicant, jid)
    assert_journey_page_is_cheap(reviewer, jid)
    packets = _read_packets(jid)
    assert [kind for kind, _, _ in packets] == [
        "enablement_isv", "api_access", "exemption", "authorization", "distribution",
    ]  # fmt: skip
    for _, text, _ in packets:
        assert "TP (Taobao Partner)" in text
    assert "Enablement request (TP, on the ISV path)" in packets[0][1]
    assert "The applicant continued without sandbox verification" in packets[2][1]
    assert "Continue without sandbox verification" in packets[2][1]  # the packet's trail
    assert "Sandbox evidence" not in packets[2][1]


def test_a_required_sandbox_refuses_the_skip_with_the_reason(seller, client_for, gateway):  # noqa: F811
    applicant, reviewer = client_for(seller.applicant), client_for(seller.reviewer)
    jid = seller.journey.id
    _enable_seller(applicant, reviewer, jid)
    _apply_for_apis(applicant, reviewer, jid, new=True)

    # A requirement needs a reason; an applicant may not set one.
    url = f"/journeys/{jid}/sandbox/requirement"
    assert _refusals(reviewer.post(url, data={"required": "yes", "reason": "  "})) == [
        "Give the applicant a reason for requiring sandbox verification."
    ]
    assert not _app_of(jid).is_sandbox_required
    assert applicant.post(url, data={"required": "no"}).status_code == 403
    _post(reviewer, url, {"required": "yes", "reason": REASON})
    app = _app_of(jid)
    assert app.is_sandbox_required and app.sandbox_required_reason == REASON
    page = _page(applicant, jid)
    assert "Tmall Global requires sandbox verification for this APP." in page
    assert REASON in page
    [mail] = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_addr == seller.applicant.email,
            OutboxMessage.subject.contains("Sandbox verification required"),
        )
    ).all()
    assert REASON in mail.body

    refused = _skip(applicant, jid, confirm=False)
    [message] = _refusals(refused)  # refused at once, not asked about
    assert REASON in message and "requires sandbox verification" in message
    # Straight to the step: the chart refuses it too.
    assert REASON in _refusals(_skip(applicant, jid, confirm=True))[0]
    assert state_of(jid) == "api_access_granted"

    _ok(fire_event(applicant, jid, "start_sandbox"))
    assert REASON in _refusals(_skip(applicant, jid, confirm=True))[0]
    assert state_of(jid) == "sandbox_verification"
    fire_event(applicant, jid, "confirm_sandbox")
    assert state_of(jid) == "sandbox_verification"  # no passing check yet
    from tests.test_end_to_end import _run_check

    _run_check(applicant, jid, "sandbox", gateway)
    _ok(fire_event(applicant, jid, "confirm_sandbox"))
    assert state_of(jid) == "sandbox_verified"
    # Verified: nothing is left to require, and the deployment choice is open.
    assert _refusals(reviewer.post(url, data={"required": "no"})) == [
        "The sandbox can be required only until the applicant chooses the deployment."
    ]
    _ok(fire_event(applicant, jid, "choose_exemption"))
    assert state_of(jid) == "exemption_draft"

    decisions = db.session.scalars(
        select(Event).where(Event.journey_id == jid, Event.event == "sandbox.required")
    ).all()
    assert len(decisions) == 1
    [row] = json.loads(decisions[0].payload)["rows"]
    assert row["table"] == "apps" and row["values"]["is_sandbox_required"] is True
    assert row["values"]["sandbox_required_reason"] == REASON
    assert decisions[0].comment == REASON
    assert decisions[0].from_state == decisions[0].to_state == "api_access_granted"
    assert "Sandbox verification required for this APP: " + REASON in _page(
        reviewer, jid, "/timeline"
    )
    _assert_log_replays()


def test_a_requirement_after_a_skip_sends_the_app_back_to_the_sandbox(seller, client_for):  # noqa: F811
    applicant, reviewer = client_for(seller.applicant), client_for(seller.reviewer)
    jid = seller.journey.id
    _enable_seller(applicant, reviewer, jid)
    _apply_for_apis(applicant, reviewer, jid, new=True)
    _ok(_skip(applicant, jid, confirm=True))
    assert state_of(jid) == "sandbox_skipped"

    url = f"/journeys/{jid}/sandbox/requirement"
    _post(reviewer, url, {"required": "yes", "reason": REASON})
    for event in ("choose_cloud", "choose_exemption"):
        assert REASON in _refusals(fire_event(applicant, jid, event))[0]
        assert state_of(jid) == "sandbox_skipped"
    page = _page(applicant, jid)
    assert "Before you can go on" in page and REASON in page

    # Lifting the requirement lets the applicant go on without the sandbox after all.
    _post(reviewer, url, {"required": "no", "reason": "ignored when not required"})
    app = _app_of(jid)
    assert not app.is_sandbox_required and app.sandbox_required_reason == ""
    _ok(fire_event(applicant, jid, "choose_cloud"))
    assert state_of(jid) == "mrd_prd_draft"
    trail = _trail(jid)
    assert trail[-4:] == ["skip_sandbox", "sandbox.required", "sandbox.required", "choose_cloud"]
    _assert_log_replays()
