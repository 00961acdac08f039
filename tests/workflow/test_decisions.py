"""Every decision is in the chain: made through the app, then edited directly in the database,
each one is named by ``flask audit verify``."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    file_for,
    fire_event,
    isv,
    upload,
    versions,
)
from top.gateway import DEMO_APP_KEY, DEMO_SESSION, LocalGateway
from workflow import audit
from workflow.extensions import db
from workflow.models import (
    ApiRequest,
    DecisionKind,
    Event,
    Evidence,
    Journey,
    Role,
    SellerList,
)


@pytest.fixture
def gateway(app, monkeypatch):
    with LocalGateway() as running:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", running.url)
        yield running


@pytest.fixture
def desk(isv, client_for, make_user):  # noqa: F811
    return Desk(isv, client_for, make_user)


class Desk:
    """One ISV journey with its applicant, two reviewers and an admin, each signed in."""

    def __init__(self, party, client_for, make_user):  # noqa: F811
        self.party = party
        self.jid = party.journey.id
        self.applicant = client_for(party.applicant)
        self.reviewer = client_for(party.reviewer)
        self.other_reviewer_user = make_user(Role.reviewer)
        self.admin = client_for(make_user(Role.admin))
        db.session.commit()

    def place(self, state: str) -> None:
        """Put the journey at ``state`` and record that in the log, as a seed would."""
        journey = self.journey()
        before = journey.state
        journey.state = state
        db.session.flush()
        audit.append_event(journey, None, "open", before, state)
        db.session.commit()

    def journey(self) -> Journey:
        db.session.expire_all()
        return db.session.get(Journey, self.jid)

    def post(self, client, url: str, data: dict | None = None):
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        response = client.post(url, data=data or {})
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        with client.session_transaction() as session:
            errors = [m for c, m in session.get("_flashes", []) if c == "error"]
        assert not errors, errors
        return response

    def register_app(self) -> None:
        self.place("app_draft")
        app_form = {"app_key": DEMO_APP_KEY, "name": "Order sync", "description": "Syncs.",
                    "origin": "new", "audience": "own_shop"}  # fmt: skip
        self.post(self.applicant, f"/journeys/{self.jid}/app", app_form)
        apis = {"api": ["taobao.trades.sold.get"],
                "reason-taobao.trades.sold.get": "Import orders."}  # fmt: skip
        self.post(self.applicant, f"/journeys/{self.jid}/apis", apis)

    def api_request(self) -> ApiRequest:
        db.session.expire_all()
        return db.session.scalars(select(ApiRequest)).one()


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def assert_sound(app) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"ok {db.session.scalar(select(func.count()).select_from(Event))} events"
    assert lines[1].startswith("replay ok: 1 journeys")


def tamper(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def assert_named(app, where: str, field: str | None = None) -> str:
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("ok "), result.output  # the chain itself still holds
    line = result.output.splitlines()[1]
    assert line.startswith(f"replay differs at {where}"), line
    if field is not None:
        assert line.startswith(f"replay differs at {where}, {field}:"), line
    return line


def decisions_of(jid: int, kind: DecisionKind) -> list[Event]:
    stmt = select(Event).where(Event.journey_id == jid, Event.event == kind.value)
    return list(db.session.scalars(stmt.order_by(Event.id)))


# --- each decision, then a direct edit -----------------------------------------------------


def test_document_decision_edited_in_the_database_is_named(app, desk):
    data, name = file_for("a", desk.party.account.taobao_account_id)
    assert upload(desk.applicant, desk.jid, "a", data, name).status_code == 302
    desk.place("enablement_submitted")
    document = versions(desk.jid)[0]
    version_before = desk.journey().version_id
    response = decide(desk.reviewer, document.id, "reject", "The scan is blurred.")
    assert response.status_code == 302
    assert desk.journey().version_id == version_before + 1
    [event] = decisions_of(desk.jid, DecisionKind.document)
    assert (event.from_state, event.to_state) == ("enablement_submitted",) * 2
    assert event.actor_id == desk.party.reviewer.id
    assert event.data["rows"] == [
        {
            "table": "document_versions",
            "id": document.id,
            "values": {
                "journey_id": desk.jid,
                "review_status": "rejected",
                "review_reason": "The scan is blurred.",
            },
        }
    ]
    assert_sound(app)

    tamper("UPDATE document_versions SET review_status = 'accepted' WHERE id = :id", id=document.id)
    line = assert_named(app, f"document_versions {document.id}", "review_status")
    assert f'the log says "rejected" (event {event.id}), the row holds "accepted"' in line


def test_journey_state_edited_in_the_database_is_named(app, desk):
    version = desk.journey().version_id
    desk.post(
        desk.applicant,
        f"/journeys/{desk.jid}/events/withdraw",
        {"version": version, "comment": "", "confirm": "yes"},
    )
    assert desk.journey().state == "withdrawn"
    assert_sound(app)

    tamper("UPDATE journeys SET state = 'released' WHERE id = :id", id=desk.jid)
    line = assert_named(app, f"journeys {desk.jid}", "state")
    assert '"withdrawn"' in line and '"released"' in line


def test_api_decision_edited_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("api_access_submitted")
    request = desk.api_request()
    desk.post(
        desk.reviewer,
        f"/journeys/{desk.jid}/apis/{request.id}/decision",
        {"decision": "refuse", "reason": "Use the order list."},
    )
    assert desk.api_request().decision.value == "rejected"
    assert_sound(app)

    tamper("UPDATE api_requests SET decision = 'accepted' WHERE id = :id", id=request.id)
    assert_named(app, f"api_requests {request.id}", "decision")


def test_an_api_request_changed_after_its_decision_is_reopened_in_the_log(app, desk):
    desk.register_app()
    desk.place("api_access_submitted")
    request = desk.api_request()
    desk.post(
        desk.reviewer,
        f"/journeys/{desk.jid}/apis/{request.id}/decision",
        {"decision": "refuse", "reason": "Too broad."},
    )
    desk.place("api_access_changes_requested")
    apis = {"api": ["taobao.trades.sold.get"],
            "reason-taobao.trades.sold.get": "Import new orders only."}  # fmt: skip
    desk.post(desk.applicant, f"/journeys/{desk.jid}/apis", apis)
    assert desk.api_request().decision.value == "pending"
    [reopened] = decisions_of(desk.jid, DecisionKind.api_reopened)
    assert reopened.actor_id == desk.party.applicant.id
    assert_sound(app)

    # Restoring the refusal behind the applicant's back is as visible as forging a grant.
    tamper("UPDATE api_requests SET decision = 'rejected' WHERE id = :id", id=request.id)
    assert_named(app, f"api_requests {request.id}", "decision")


def test_list_put_in_force_edited_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("distribution_setup")
    desk.post(desk.applicant, f"/journeys/{desk.jid}/sellers/authorization", {"ids": "1001 1002"})
    desk.place("authorization_submitted")
    assert fire_event(desk.reviewer, desk.jid, "approve").status_code == 302
    assert desk.journey().state == "distribution_draft"
    [event] = decisions_of(desk.jid, DecisionKind.list_in_force)
    assert event.actor_id == desk.party.reviewer.id
    in_force = db.session.scalars(select(SellerList)).one()
    assert in_force.is_in_force
    assert_sound(app)

    tamper("UPDATE seller_lists SET sha256 = :other WHERE id = :id", other="f" * 64, id=in_force.id)
    assert_named(app, f"seller_lists {in_force.id}", "sha256")


def test_a_double_click_on_an_approval_that_puts_a_list_in_force_is_harmless(app, desk):
    desk.register_app()
    desk.place("distribution_setup")
    desk.post(desk.applicant, f"/journeys/{desk.jid}/sellers/authorization", {"ids": "1001"})
    desk.place("authorization_submitted")
    seen = desk.journey().version_id
    url = f"/journeys/{desk.jid}/events/approve"
    assert desk.reviewer.post(url, data={"version": seen}).status_code == 302
    second = desk.reviewer.post(url, data={"version": seen}, follow_redirects=True)
    assert "That was already done" in second.get_data(as_text=True)
    assert len(decisions_of(desk.jid, DecisionKind.list_in_force)) == 1


def test_a_proposal_slipped_into_force_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("released")
    desk.post(desk.applicant, f"/journeys/{desk.jid}/sellers/authorization", {"ids": "1001"})
    proposal = db.session.scalars(select(SellerList)).one()
    assert_sound(app)

    tamper(
        "UPDATE seller_lists SET status = 'accepted', is_in_force = :yes WHERE id = :id",
        yes=True,
        id=proposal.id,
    )
    line = assert_named(app, f"seller_lists {proposal.id}")
    assert "no event changes it" in line


def test_claim_and_assignment_edited_in_the_database_are_named(app, desk):
    desk.place("enablement_submitted")
    response = desk.reviewer.post(f"/review/journeys/{desk.jid}/assign", data={"assignee": "me"})
    assert response.status_code == 302
    assert desk.journey().assignee_id == desk.party.reviewer.id
    [event] = decisions_of(desk.jid, DecisionKind.assigned)
    assert event.data["about"] == {"claimed": True}
    assert_sound(app)

    tamper(
        "UPDATE journeys SET assignee_id = :other WHERE id = :id",
        other=desk.other_reviewer_user.id,
        id=desk.jid,
    )
    line = assert_named(app, f"journeys {desk.jid}", "assignee_id")
    assert f"the log says {desk.party.reviewer.id} (event {event.id})" in line


def test_required_configuration_edited_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("distribution_setup")
    desk.post(desk.admin, f"/journeys/{desk.jid}/configs/required", {"security": "yes"})
    app_row = desk.journey().app
    assert app_row.is_security_config_required
    assert_sound(app)

    tamper(
        "UPDATE apps SET is_security_config_required = :no WHERE id = :id", no=False, id=app_row.id
    )
    assert_named(app, f"apps {app_row.id}", "is_security_config_required")


def test_confirmed_configuration_edited_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("distribution_setup")
    desk.post(
        desk.admin, f"/journeys/{desk.jid}/configs/required", {"security": "yes", "cloud": "yes"}
    )
    desk.post(desk.applicant, f"/journeys/{desk.jid}/configs/security/confirm")
    app_row = desk.journey().app
    assert app_row.security_config_confirmed_at is not None
    assert_sound(app)

    # A confirmation the applicant never gave.
    tamper(
        "UPDATE apps SET cloud_config_confirmed_at = :at WHERE id = :id",
        at=datetime(2026, 11, 30, tzinfo=UTC),
        id=app_row.id,
    )
    assert_named(app, f"apps {app_row.id}", "cloud_config_confirmed_at")


def _failing_sandbox_run(desk, gateway) -> Evidence:
    desk.register_app()
    desk.place("sandbox_verification")
    form = {"gateway": "default", "sign_method": "hmac-sha256", "app_secret": "not-the-secret",
            "session": DEMO_SESSION, "attach": "yes"}  # fmt: skip
    response = desk.applicant.post(f"/journeys/{desk.jid}/check/sandbox", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    evidence = db.session.scalars(select(Evidence)).one()
    assert not evidence.is_passing
    return evidence


def test_evidence_verdict_edited_in_the_database_is_named(app, desk, gateway):
    evidence = _failing_sandbox_run(desk, gateway)
    [event] = decisions_of(desk.jid, DecisionKind.evidence_attached)
    assert event.data["rows"][0]["values"]["is_passing"] is False
    assert_sound(app)

    tamper("UPDATE evidence SET is_passing = :yes WHERE id = :id", yes=True, id=evidence.id)
    line = assert_named(app, f"evidence {evidence.id}", "is_passing")
    assert "the log says false" in line and "the row holds true" in line


def test_evidence_report_rewritten_in_the_database_is_named(app, desk, gateway):
    evidence = _failing_sandbox_run(desk, gateway)
    report = dict(evidence.report, ok=True)
    tamper("UPDATE evidence SET report = :r WHERE id = :id", r=json.dumps(report), id=evidence.id)
    assert_named(app, f"evidence {evidence.id}", "report_sha256")


def test_evidence_inserted_in_the_database_is_named(app, desk, gateway):
    _failing_sandbox_run(desk, gateway)
    forged = Evidence(
        journey_id=desk.jid,
        kind="sandbox",
        source="upload",
        is_passing=True,
        report={"ok": True, "checks": [{"name": "made-up", "ok": True}]},
    )
    db.session.add(forged)
    db.session.commit()
    line = assert_named(app, f"evidence {forged.id}")
    assert (
        line
        == f"replay differs at evidence {forged.id}: no event records this row (1 difference(s))"
    )


def test_evidence_withdrawal_edited_in_the_database_is_named(app, desk, gateway):
    evidence = _failing_sandbox_run(desk, gateway)
    desk.post(desk.applicant, f"/journeys/{desk.jid}/evidence/{evidence.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).withdrawn_at is not None
    [event] = decisions_of(desk.jid, DecisionKind.evidence_withdrawn)
    assert event.actor_id == desk.party.applicant.id
    page = desk.applicant.get(f"/journeys/{desk.jid}").get_data(as_text=True)
    assert "Withdrawn" in page
    assert_sound(app)

    tamper("UPDATE evidence SET withdrawn_at = NULL WHERE id = :id", id=evidence.id)
    assert_named(app, f"evidence {evidence.id}", "withdrawn_at")


# --- the door itself -------------------------------------------------------------------------


def test_withdrawn_evidence_no_longer_counts(app, desk, gateway):
    from workflow.apps.evidence import has_passing_evidence

    evidence = _failing_sandbox_run(desk, gateway)
    tamper("UPDATE evidence SET is_passing = :yes WHERE id = :id", yes=True, id=evidence.id)
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
    assert event.hash_version == 2
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
        page = client.get(f"/journeys/{desk.jid}").get_data(as_text=True)
        assert "Document a (version 1) rejected: The scan is blurred." in page


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
    report = {"ok": False, "gateway": "http://127.0.0.1:1/router/rest",
              "checks": [{"name": "dns", "ok": False}]}  # fmt: skip
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
