"""Refused evidence: each payload is a 400 naming its problem, and the journey stays put."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.apps.evidence_helpers import (
    host_run,
    issue,
    production_url,
    refused,
    sandbox_url,
    upload,
)
from tests.support import PASSWORD
from top.gateway import DEMO_APP_SECRET
from workflow.apps import evidence as evidence_ops
from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.models import AccountKind, Evidence, Role
from workflow.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]


def test_forged_report_is_refused(collecting):
    journey, _, client = collecting
    forged = {"ok": "false", "checks": [{"name": "made-up", "ok": "no", "latency_ms": 1}]}
    refused(client, journey, forged, "This report is not signed")


def test_report_with_a_made_up_signature_is_refused(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    signed["signature"]["value"] = "0" * 64
    refused(client, journey, signed, "The signature does not verify")


def test_hand_edited_gateway_is_refused(collecting, gateway):
    journey, _, client = collecting
    journey.state = "cloud_verification"
    db.session.commit()
    token = issue(client, journey, "cloud")
    signed = host_run(token, sandbox_url(gateway))
    signed["payload"].update(gateway="https://gw.api.taobao.com/router/rest",
                             environment="production", is_stand_in=False)  # fmt: skip
    refused(client, journey, signed, "The signature does not verify", "cloud")


def test_another_apps_report_is_refused(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    gateway.add_app("87654321", DEMO_APP_SECRET)
    signed = host_run(token, sandbox_url(gateway), app_key="87654321")
    refused(client, journey, signed, "The report checks APP 87654321, but this journey's APP is")


def test_another_journeys_token_is_refused(collecting, gateway, make_account, make_user, app):
    journey, _, client = collecting
    other_account = make_account(AccountKind.seller)
    other = make_user(Role.applicant, other_account)
    from workflow.operations import open_journey

    theirs = open_journey(other_account, other)
    theirs.state = "enabled"
    gateway.add_app("87654321", DEMO_APP_SECRET)
    register_demo_app(theirs, other, app_key="87654321")
    theirs.state = "sandbox_verification"
    db.session.commit()
    with app.test_client() as them:
        them.post("/login", data={"email": other.email, "password": PASSWORD})
        token = issue(them, theirs)
    refused(client, journey, host_run(token, sandbox_url(gateway)), "was not issued for this")


def test_production_run_offered_as_sandbox_evidence_is_refused(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, production_url(gateway))
    refused(client, journey, signed, "Sandbox evidence must come from the TOP sandbox gateway")


def test_replayed_token_is_refused(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    assert upload(client, journey, signed).status_code == 302
    refused(client, journey, signed, "This evidence token was already used")
    again = host_run(token, sandbox_url(gateway))  # a second run signed with the same token
    refused(client, journey, again, "This evidence token was already used")


def test_expired_token_is_refused(collecting, gateway, monkeypatch):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    later = utcnow() + timedelta(hours=24, minutes=1)
    monkeypatch.setattr(evidence_ops, "utcnow", lambda: later)
    refused(client, journey, signed, "This evidence token expired at")


def test_stand_ins_count_only_on_a_demo_desk(collecting, gateway, app, monkeypatch):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    monkeypatch.setitem(app.config, "TOP_DEMO_STAND_INS", False)
    refused(client, journey, signed, "stand-in gateways count only on a demo desk")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"format": NaN}', "holds NaN"),
        (b'{"format": Infinity}', "holds Infinity"),
        (b'{"format": 1e999}', "out of range"),
        (b'{"format": 123456789012345678901234567890}', "a number of 30 digits"),
        (b'{"format": ' + b"7" * 4301 + b"}", "a number of 4301 digits"),
        (b'{"format": 1e999999}', "the number 1e999999, which is out of range"),
        (b'{"format": -NaN}', "not valid JSON"),
        (b'{"apps": [1]}', "report: unexpected field “apps”"),
        (b"[" * 50 + b"]" * 50, "nests deeper than 6 levels"),
        (b"[" * 100_000 + b"]" * 100_000, "nests deeper than 6 levels"),
        (b'{"format": "top-evidence/1", "format": "x"}', "names the field “format” twice"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"%PDF-1.4", "not valid JSON"),
        (b" " * (256 * 1024 + 1), "at most 256 KB"),
    ],
    ids=["nan", "infinity", "huge-float", "huge-int", "digits-4301", "exponent", "minus-nan",
         "apps", "deep", "very-deep", "duplicate", "binary", "pdf", "size"],
)  # fmt: skip
def test_malformed_report_is_a_400_naming_the_problem(collecting, body, message):
    journey, _, client = collecting
    refused(client, journey, body, message)


def test_schema_names_the_first_problem_inside_a_signed_report(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    for path, value, message in [
        (("checks", 0, "latency_ms"), "abc", "payload.checks[0].latency_ms: expected a number"),
        (("checks", 0, "ok"), "false", "payload.checks[0].ok: expected true or false"),
        (("journey_id",), True, "payload.journey_id: expected a whole number"),
        (("host", "addresses"), ["x"] * 17, "payload.host.addresses: expected 0 to 16 items"),
    ]:
        edited = copy.deepcopy(signed)
        target = edited["payload"]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        refused(client, journey, edited, message)


def test_staff_cannot_attach_or_get_tokens(collecting, gateway, make_user, app):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    reviewer = make_user(Role.reviewer)
    db.session.commit()
    with app.test_client() as staff:
        staff.post("/login", data={"email": reviewer.email, "password": PASSWORD})
        assert upload(staff, journey, signed).status_code == 403
        assert staff.post(f"/journeys/{journey.id}/check/sandbox/token").status_code == 403
    assert db.session.scalars(select(Evidence)).all() == []
