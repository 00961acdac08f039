"""The decisions door itself: who may record, stale pages, hash versions, and the trail."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.workflow.decisions_desk import (
    assert_sound,
    decide,
    decisions_of,
    failing_sandbox_run,
    file_for,
    tamper,
    upload,
    verify,
    versions,
)
from top.evidence import EvidenceToken as HostToken
from top.evidence import sign_with_token, stand_in_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from top.report import CheckReport, CheckResult
from workflow.extensions import db
from workflow.models import DecisionKind, Event, Evidence

# --- the door itself -------------------------------------------------------------------------


def test_withdrawn_evidence_no_longer_counts(app, desk, gateway):
    from workflow.apps.evidence import has_passing_evidence

    evidence = failing_sandbox_run(desk, gateway)
    # The stored flag is not what counts: the signed checks are read again.
    tamper("UPDATE evidence SET is_passing = :yes WHERE id = :id", yes=True, id=evidence.id)
    assert not has_passing_evidence(desk.journey(), evidence.kind)
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": DEMO_APP_SECRET, "session": DEMO_SESSION, "attach": "yes"}  # fmt: skip
    desk.post(desk.applicant, f"/journeys/{desk.jid}/check/sandbox", form)
    evidence = db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
    assert has_passing_evidence(desk.journey(), evidence.kind)
    tamper(
        "UPDATE evidence SET withdrawn_at = :at WHERE id = :id",
        at=datetime.now(UTC),
        id=evidence.id,
    )
    assert not has_passing_evidence(desk.journey(), evidence.kind)


def test_staff_cannot_record_an_applicants_decision(app, desk):
    from workflow.decisions import decide as decide_door
    from workflow.errors import NotPermitted

    desk.register_app()
    journey = desk.journey()
    with pytest.raises(NotPermitted):
        decide_door(journey, desk.party.reviewer, DecisionKind.config_confirmed, [journey.app])
    db.session.rollback()
    assert decisions_of(desk.jid, DecisionKind.config_confirmed) == []


def test_a_decision_on_a_stale_page_conflicts_and_records_nothing(app, desk):
    from workflow.decisions import decide as decide_door
    from workflow.errors import ConcurrentChange

    journey = desk.journey()
    with pytest.raises(ConcurrentChange):
        decide_door(
            journey,
            desk.party.reviewer,
            DecisionKind.assigned,
            [journey],
            seen_version=journey.version_id - 1,
        )
    db.session.rollback()
    assert decisions_of(desk.jid, DecisionKind.assigned) == []


def test_a_payload_edited_in_the_database_breaks_the_chain(app, desk):
    desk.place("enablement_submitted")
    desk.reviewer.post(f"/review/journeys/{desk.jid}/assign", data={"assignee": "me"})
    [event] = decisions_of(desk.jid, DecisionKind.assigned)
    forged = event.payload.replace(str(desk.party.reviewer.id), str(desk.other_reviewer_user.id))
    tamper("UPDATE events SET payload = :p WHERE id = :id", p=forged, id=event.id)
    result = verify(app)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"broken at event {event.id}: its content does not match its hash "
        f"({event.id - 1} events verified before)",
        "replay skipped: the log itself does not hold",
    ]


def test_relabelling_an_event_as_hash_version_1_breaks_the_chain(app, desk):
    desk.place("enablement_submitted")
    desk.reviewer.post(f"/review/journeys/{desk.jid}/assign", data={"assignee": "me"})
    [event] = decisions_of(desk.jid, DecisionKind.assigned)
    assert event.hash_version == 3
    tamper("UPDATE events SET hash_version = 1, payload = NULL WHERE id = :id", id=event.id)
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at event {event.id}" in result.output


def test_the_trail_shows_decisions_to_both_sides(app, desk):
    data, name = file_for("a", desk.party.account.taobao_account_id)
    upload(desk.applicant, desk.jid, "a", data, name)
    desk.place("enablement_submitted")
    decide(desk.reviewer, versions(desk.jid)[0].id, "reject", "The scan is blurred.")
    for client in (desk.applicant, desk.reviewer):
        trail = client.get(f"/journeys/{desk.jid}/timeline").get_data(as_text=True)
        assert "Document a (version 1) rejected: The scan is blurred." in trail
        assert "decision · in Enablement submitted" in trail


def test_an_unknown_hash_version_is_reported_not_crashed_on(app, desk):
    desk.place("enablement_submitted")
    last = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
    tamper("UPDATE events SET hash_version = 9 WHERE id = :id", id=last.id)
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at event {last.id}: its hash version 9 is unknown" in result.output


def test_evidence_upload_is_kept_with_its_file_in_the_log(app, desk):
    desk.register_app()
    desk.place("sandbox_verification")
    token_page = desk.applicant.post(f"/journeys/{desk.jid}/check/sandbox/token")
    token = re.search(r"tev1\.[A-Za-z0-9_.-]+", token_page.get_data(as_text=True)).group()
    gateway = stand_in_url(app.config["TOP_GATEWAY_URL"], "sandbox")
    run = CheckReport(gateway, [CheckResult("dns", False, message="does not resolve")],
                      app_key=DEMO_APP_KEY, gateway_address="")  # fmt: skip
    report = sign_with_token(run, HostToken.parse(token), host={"name": "h", "addresses": []})
    response = desk.applicant.post(
        f"/journeys/{desk.jid}/check/sandbox/upload",
        data={"report": (io.BytesIO(json.dumps(report).encode()), "report.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    [event] = decisions_of(desk.jid, DecisionKind.evidence_attached)
    assert event.data["rows"][0]["values"]["sha256"] == evidence.sha256 is not None
    assert_sound(app)
