"""Signed evidence: desk runs, token runs on the applicant's host, and every refused payload."""

from __future__ import annotations

import copy
import html
import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support import PASSWORD
from top.checker import run_check
from top.evidence import EvidenceToken as Token
from top.evidence import sign_with_token, stand_in_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from workflow.apps import evidence as evidence_ops
from workflow.apps.demo import register_demo_app
from workflow.apps.evidence import has_passing_evidence
from workflow.extensions import db
from workflow.models import AccountKind, Evidence, EvidenceKind, EvidenceToken, Journey, Role
from workflow.models.base import utcnow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway(app, monkeypatch):
    with LocalGateway() as running:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", running.url)
        yield running


@pytest.fixture
def collecting(make_account, make_user, make_journey, login):
    """A seller's journey in sandbox verification, its applicant signed in."""
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    db.session.commit()
    return journey, applicant, login(applicant)


def issue(client, journey, kind="sandbox") -> str:
    response = client.post(f"/journeys/{journey.id}/check/{kind}/token")
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r"tev1\.[A-Za-z0-9_.-]+", response.get_data(as_text=True)).group()


def host_run(token: str, url: str, app_key: str = DEMO_APP_KEY) -> dict:
    """What the checker on a host signs (in-process; one test runs the real subprocess)."""
    report = run_check(url, app_key, DEMO_APP_SECRET, session=DEMO_SESSION)
    return sign_with_token(report, Token.parse(token))


def upload(client, journey, body, kind="sandbox"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/journeys/{journey.id}/check/{kind}/upload",
        data={"report": (io.BytesIO(data), "top-evidence.json")},
    )


def sandbox_url(gateway) -> str:
    return stand_in_url(gateway.url, "sandbox")


def production_url(gateway) -> str:
    return stand_in_url(gateway.url, "production")


def snapshot(journey):
    db.session.expire_all()
    row = db.session.get(Journey, journey.id)
    count = len(db.session.scalars(select(Evidence)).all())
    return row.state, row.version_id, count


# --- happy paths ----------------------------------------------------------------------------


def test_token_run_by_python_m_top_on_the_host_is_accepted(collecting, gateway, tmp_path):
    journey, _, client = collecting
    token = issue(client, journey)
    out = tmp_path / "top-evidence.json"
    env = {**os.environ, "TOP_APP_SECRET": DEMO_APP_SECRET}
    run = subprocess.run(
        [sys.executable, "-m", "top", "check", "--evidence-token", token,
         "--gateway", sandbox_url(gateway), "--app-key", DEMO_APP_KEY,
         "--session", DEMO_SESSION, "--api", "taobao.trades.sold.get", "--output", str(out)],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Signed evidence for journey" in run.stdout and DEMO_APP_SECRET not in run.stdout
    signed = json.loads(out.read_text())
    assert DEMO_APP_SECRET not in out.read_text()
    assert signed["payload"]["host"]["name"] and signed["payload"]["gateway_address"] == "127.0.0.1"

    response = upload(client, journey, out.read_bytes())
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    row = db.session.scalars(select(Evidence)).one()
    assert (row.source, row.is_passing, row.key_id) == (
        "upload",
        True,
        f"token:{token.split('.')[3]}",
    )
    assert db.session.get(EvidenceToken, row.token_id).used_at is not None
    assert has_passing_evidence(db.session.get(Journey, journey.id), EvidenceKind.sandbox)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Signature verified: signed by an evidence token" in page
    assert "stand-in for the TOP sandbox" in page and "not a real TOP gateway" in page
    assert signed["payload"]["host"]["name"] in page


def test_token_is_derived_and_never_stored(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    row = db.session.scalars(select(EvidenceToken)).one()
    secret = token.rsplit(".", 1)[1]
    stored = " ".join(str(getattr(row, c.key)) for c in EvidenceToken.__table__.columns)
    assert secret not in stored and row.public_id in token
    assert row.expires_at - row.created_at == timedelta(hours=24)


def test_desk_run_is_signed_by_the_desk(collecting, gateway):
    journey, _, client = collecting
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": DEMO_APP_SECRET, "session": DEMO_SESSION, "attach": "yes"}  # fmt: skip
    response = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
    assert response.status_code == 302
    row = db.session.scalars(select(Evidence)).one()
    assert row.source == "checker" and row.key_id.startswith("desk-") and row.is_passing
    assert row.report["payload"]["source"] == "desk"
    assert DEMO_APP_SECRET not in json.dumps(row.report)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Signature verified: signed by the desk" in page and "Counts as evidence" in page


def test_desk_run_against_a_non_sandbox_gateway_is_not_attached(collecting, gateway):
    journey, _, client = collecting
    for choice in ("default", "stand-in-production"):
        form = {"gateway": choice, "sign_method": "hmac-sha256",
                "app_secret": DEMO_APP_SECRET, "attach": "yes"}  # fmt: skip
        client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
        with client.session_transaction() as session:
            flashes = [m for _, m in session.pop("_flashes", [])]
        assert any("must come from the TOP sandbox gateway" in m for m in flashes), flashes
    assert db.session.scalars(select(Evidence)).all() == []


def test_cloud_evidence_is_never_a_desk_run(collecting, gateway):
    journey, _, client = collecting
    journey.state = "cloud_verification"
    db.session.commit()
    page = client.get(f"/journeys/{journey.id}/check/cloud").get_data(as_text=True)
    assert "Run and attach as evidence" not in page
    with pytest.raises(Exception, match="run on the cloud host itself"):
        report = run_check(production_url(gateway), DEMO_APP_KEY, DEMO_APP_SECRET)
        evidence_ops.attach_desk_run(journey, EvidenceKind.cloud, journey.account.users[0], report)
    token = issue(client, journey, "cloud")
    response = upload(client, journey, host_run(token, production_url(gateway)), "cloud")
    assert response.status_code == 302
    assert has_passing_evidence(journey, EvidenceKind.cloud)


# --- refused payloads: 400, the first problem named, the journey where it was -----------------


def refused(client, journey, body, message, kind="sandbox"):
    before = snapshot(journey)
    tokens_before = [t.used_at for t in db.session.scalars(select(EvidenceToken))]
    response = upload(client, journey, body, kind)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, text[-800:]
    assert message in text, text[text.find("not accepted") - 20 :][:600]
    assert snapshot(journey) == before
    assert [t.used_at for t in db.session.scalars(select(EvidenceToken))] == tokens_before


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
    register_demo_app(theirs, other)
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
        (b'{"apps": [1]}', "report: unexpected field “apps”"),
        (b"[" * 50 + b"]" * 50, "nests deeper than 6 levels"),
        (b'{"format": "top-evidence/1", "format": "x"}', "names the field “format” twice"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"%PDF-1.4", "not valid JSON"),
        (b" " * (256 * 1024 + 1), "at most 256 KB"),
    ],
    ids=["nan", "infinity", "huge-float", "huge-int", "apps", "deep", "duplicate", "binary",
         "pdf", "size"],
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


# --- stored evidence: verdicts recomputed, never a broken page ------------------------------


def test_key_rotation_keeps_old_verdicts(collecting, gateway, app, monkeypatch):
    journey, _, client = collecting
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": DEMO_APP_SECRET, "attach": "yes"}  # fmt: skip
    client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
    token = issue(client, journey)
    assert upload(client, journey, host_run(token, sandbox_url(gateway))).status_code == 302
    old_secret = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-rotated-secret-key")
    views = evidence_ops.evidence_of(journey, EvidenceKind.sandbox)
    assert [v.verdict.status for v in views] == ["unknown_key", "unknown_key"]
    monkeypatch.setitem(app.config, "RETIRED_SECRET_KEYS", (old_secret,))
    views = evidence_ops.evidence_of(journey, EvidenceKind.sandbox)
    assert [v.verdict.status for v in views] == ["verified", "verified"]
    assert all(v.counts for v in views)


def test_a_database_edit_of_a_check_breaks_the_verdict(collecting, gateway):
    journey, _, client = collecting
    token = issue(client, journey)
    signed = host_run(token, sandbox_url(gateway))
    assert upload(client, journey, signed).status_code == 302
    assert has_passing_evidence(journey, EvidenceKind.sandbox)
    row = db.session.scalars(select(Evidence)).one()
    edited = copy.deepcopy(row.report)
    edited["payload"]["checks"][0]["message"] = "edited in the database"
    row.report = edited
    db.session.commit()
    assert not has_passing_evidence(journey, EvidenceKind.sandbox)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "The signature does not verify" in page


@pytest.mark.parametrize(
    "report",
    [
        {"gateway": "x", "ok": True, "checks": [{"name": "dns", "ok": True, "latency_ms": "abc"}]},
        {"format": "top-evidence/1", "payload": {"checks": [{"latency_ms": "abc"}]}},
        {"format": "top-evidence/1", "payload": [], "signature": None},
        [],
    ],
    ids=["old-unsigned", "partial", "wrong-types", "list"],
)
def test_stored_bad_report_never_breaks_the_page(collecting, make_user, report, app):
    journey, applicant, client = collecting
    row = Evidence(journey_id=journey.id, kind=EvidenceKind.sandbox, source="upload",
                   is_passing=True, report=report, created_by_id=applicant.id)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    page = client.get(f"/journeys/{journey.id}")
    assert page.status_code == 200
    assert "Does not count: signature not verified" in page.get_data(as_text=True)
    assert not has_passing_evidence(journey, EvidenceKind.sandbox)
    reviewer = make_user(Role.reviewer)
    db.session.commit()
    with app.test_client() as staff:
        staff.post("/login", data={"email": reviewer.email, "password": PASSWORD})
        assert staff.get(f"/journeys/{journey.id}").status_code == 200


def test_checker_download_runs_as_one_file(collecting, gateway, tmp_path):
    journey, _, client = collecting
    response = client.get("/checker/top-checker.pyz")
    assert response.status_code == 200
    pyz = tmp_path / "top-checker.pyz"
    pyz.write_bytes(response.get_data())
    token = issue(client, journey)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, str(pyz), "check", "--evidence-token", token, "--gateway",
         sandbox_url(gateway), "--app-key", DEMO_APP_KEY, "--output", "e.json"],
        cwd=tmp_path, env={**env, "TOP_APP_SECRET": DEMO_APP_SECRET}, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert upload(client, journey, (tmp_path / "e.json").read_bytes()).status_code == 302
    assert has_passing_evidence(journey, EvidenceKind.sandbox)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "top-checker.pyz" in page and "Python 3.11" in page


def test_a_run_without_attaching_shows_its_result_and_keeps_nothing(collecting, gateway):
    journey, _, client = collecting
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": DEMO_APP_SECRET, "attach": "no"}  # fmt: skip
    page = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "All checks passed" in text
    assert "/stand-in/sandbox/router/rest" in text and DEMO_APP_SECRET not in text
    assert db.session.scalars(select(Evidence)).all() == []
