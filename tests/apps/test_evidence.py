"""Signed evidence: desk runs, token runs on the applicant's host, and stored verdicts."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.apps.evidence_helpers import (
    host_run,
    issue,
    production_url,
    sandbox_url,
    upload,
)
from tests.support import PASSWORD
from top.checker import run_check
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from workflow.apps import evidence as evidence_ops
from workflow.apps.evidence import has_passing_evidence
from workflow.extensions import db
from workflow.models import Evidence, EvidenceKind, EvidenceToken, Journey, Role

ROOT = Path(__file__).resolve().parents[2]


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
