"""Every decision is in the chain: made through the app, then edited directly in the database,
each one is named by ``flask audit verify``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from tests.workflow.decisions_desk import (
    assert_named,
    assert_sound,
    decide,
    decisions_of,
    failing_sandbox_run,
    file_for,
    fire_event,
    tamper,
    upload,
    versions,
)
from workflow.extensions import db
from workflow.models import DecisionKind, Evidence, SellerList

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
                "is_account_id_seen": False,
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
    required = {"security": "yes", "security_details": "Allow-list the APP's IPs."}
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required", required)
    app_row = desk.journey().app
    assert app_row.is_security_config_required
    assert_sound(app)

    tamper(
        "UPDATE apps SET is_security_config_required = :no WHERE id = :id", no=False, id=app_row.id
    )
    assert_named(app, f"apps {app_row.id}", "is_security_config_required")
    tamper("UPDATE apps SET is_security_config_required = :yes, security_config_details = :d "
           "WHERE id = :id", yes=True, d="Nothing at all.", id=app_row.id)  # fmt: skip
    assert_named(app, f"apps {app_row.id}", "security_config_details")


def test_confirmed_configuration_edited_in_the_database_is_named(app, desk):
    desk.register_app()
    desk.place("distribution_setup")
    required = {"security": "yes", "security_details": "Allow-list the APP's IPs.",
                "cloud": "yes", "cloud_details": "Use the RDS instance."}  # fmt: skip
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required", required)
    confirmation = {"details": "Allow-listed 203.0.113.10."}
    desk.post(desk.applicant, f"/journeys/{desk.jid}/configs/security/confirm", confirmation)
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


def test_evidence_verdict_edited_in_the_database_is_named(app, desk, gateway):
    evidence = failing_sandbox_run(desk, gateway)
    [event] = decisions_of(desk.jid, DecisionKind.evidence_attached)
    assert event.data["rows"][0]["values"]["is_passing"] is False
    assert_sound(app)

    tamper("UPDATE evidence SET is_passing = :yes WHERE id = :id", yes=True, id=evidence.id)
    line = assert_named(app, f"evidence {evidence.id}", "is_passing")
    assert "the log says false" in line and "the row holds true" in line


def test_evidence_report_rewritten_in_the_database_is_named(app, desk, gateway):
    evidence = failing_sandbox_run(desk, gateway)
    report = dict(evidence.report, ok=True)
    tamper("UPDATE evidence SET report = :r WHERE id = :id", r=json.dumps(report), id=evidence.id)
    assert_named(app, f"evidence {evidence.id}", "report_sha256")


def test_evidence_inserted_in_the_database_is_named(app, desk, gateway):
    failing_sandbox_run(desk, gateway)
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
    evidence = failing_sandbox_run(desk, gateway)
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
