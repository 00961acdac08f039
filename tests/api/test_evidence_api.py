"""Checker evidence posted to the API with its evidence token, from the checker's host."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.api.conftest import bearer
from tests.apps.conftest import collecting, gateway  # noqa: F401  (fixtures)
from tests.apps.evidence_helpers import host_run, issue, sandbox_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from workflow.apps.evidence import has_passing_evidence
from workflow.extensions import db
from workflow.models import Event, Evidence, EvidenceKind, EvidenceToken, Journey

ROOT = Path(__file__).resolve().parents[2]


def _url(journey, kind="sandbox") -> str:
    return f"/api/v1/journeys/{journey.id}/evidence/{kind}"


def _post(app, journey, token, report, kind="sandbox", **headers):
    return app.test_client().post(
        _url(journey, kind), json=report, headers=bearer(token, **headers)
    )


def _written():
    db.session.expire_all()
    rows = db.session.scalars(select(Evidence)).all()
    used = [t.used_at for t in db.session.scalars(select(EvidenceToken))]
    return len(rows), used


@pytest.fixture
def live_desk(app):
    """The desk served on a loopback port, for the checker on the host to post to."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_checker_posts_its_report_from_the_host_with_the_token(
    collecting,  # noqa: F811
    gateway,  # noqa: F811
    live_desk,
    tmp_path,
):
    journey, applicant, client = collecting
    token = issue(client, journey)
    db.session.commit()
    env = {**os.environ, "TOP_APP_SECRET": DEMO_APP_SECRET, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "top", "check", "--evidence-token", token,
         "--gateway", sandbox_url(gateway), "--app-key", DEMO_APP_KEY,
         "--session", DEMO_SESSION, "--output", str(tmp_path / "report.json"),
         "--post-to", live_desk + "/"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Posted to {live_desk}/api/v1/journeys/{journey.id}/evidence/sandbox" in run.stdout
    assert "The desk accepted the report as evidence" in run.stdout
    assert "Counts as evidence" in run.stdout and DEMO_APP_SECRET not in run.stdout

    db.session.expire_all()
    row = db.session.scalars(select(Evidence)).one()
    public_id = token.split(".")[3]
    assert (row.source, row.is_passing, row.key_id) == ("upload", True, f"token:{public_id}")
    assert row.created_by_id == applicant.id
    assert row.report == json.loads((tmp_path / "report.json").read_text())
    assert db.session.get(EvidenceToken, row.token_id).used_at is not None
    assert has_passing_evidence(db.session.get(Journey, journey.id), EvidenceKind.sandbox)
    trail = db.session.scalars(select(Event).where(Event.journey_id == journey.id)).all()
    attached = [e for e in trail if e.event == "evidence.attached"]
    assert [(e.actor_id, e.via) for e in attached] == [(applicant.id, "api")]
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Signature verified: signed by an evidence token" in page


def test_the_token_allows_one_upload_and_nothing_else(
    app,
    collecting,  # noqa: F811
    gateway,  # noqa: F811
):
    journey, applicant, client = collecting
    token = issue(client, journey)
    db.session.commit()
    report = host_run(token, sandbox_url(gateway))

    answer = _post(app, journey, token, report, **{"Idempotency-Key": "first"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert (body["kind"], body["passing"], body["verdict"], body["counts"]) == (
        "sandbox",
        True,
        "verified",
        True,
    )
    assert answer.headers["ETag"] == f'"{body["journey_version"]}"'
    # A retry with the same key gets the same answer and acts once.
    again = _post(app, journey, token, report, **{"Idempotency-Key": "first"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert _written()[0] == 1

    # Sent again without the key, the spent token is refused, and nothing more is kept.
    twice = _post(app, journey, token, report)
    assert twice.status_code == 422
    assert "already used" in twice.get_json()["detail"]
    assert twice.get_json()["errors"][0]["field"] == "body"
    assert _written()[0] == 1

    # Not a personal token: anywhere else in the API it is no token at all.
    for method, url in (
        ("GET", "/api/v1/journeys"),
        ("GET", f"/api/v1/journeys/{journey.id}"),
        ("POST", f"/api/v1/journeys/{journey.id}/events/skip_sandbox"),
    ):
        other = app.test_client().open(url, method=method, headers=bearer(token))
        assert other.status_code == 401, (url, other.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "sandbox_verification"


def test_the_token_is_refused_for_another_check_journey_or_with_a_wrong_secret(
    app,
    collecting,  # noqa: F811
    gateway,  # noqa: F811
    make_journey,
):
    journey, applicant, client = collecting
    token = issue(client, journey)
    other = make_journey(journey.account, applicant, state="sandbox_verification")
    db.session.commit()
    report = host_run(token, sandbox_url(gateway))
    before = _written()

    elsewhere = app.test_client().post(_url(other), json=report, headers=bearer(token))
    assert elsewhere.status_code == 403
    assert elsewhere.get_json()["errors"][0]["field"] == "Authorization"
    cloud = _post(app, journey, token, report, kind="cloud")
    assert cloud.status_code == 403
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    wrong = _post(app, journey, forged, report)
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert _written() == before  # nothing kept, the token still unused


def test_a_report_signed_with_another_token_is_refused_and_spends_neither(
    app,
    collecting,  # noqa: F811
    gateway,  # noqa: F811
):
    journey, applicant, client = collecting
    first, second = issue(client, journey), issue(client, journey)
    db.session.commit()
    report = host_run(first, sandbox_url(gateway))
    answer = _post(app, journey, second, report)
    assert answer.status_code == 422
    assert "another evidence token" in answer.get_json()["detail"]
    assert _written() == (0, [None, None])


def test_a_personal_token_may_not_post_evidence(app, collecting, gateway, token_for):  # noqa: F811
    journey, applicant, client = collecting
    token = issue(client, journey)
    personal = token_for(applicant)
    report = host_run(token, sandbox_url(gateway))
    answer = app.test_client().post(_url(journey), json=report, headers=bearer(personal))
    assert answer.status_code == 403
    assert "evidence token" in answer.get_json()["detail"]
    assert _written() == (0, [None])


def test_a_body_that_is_not_a_report_names_its_field(app, collecting, gateway):  # noqa: F811
    journey, applicant, client = collecting
    token = issue(client, journey)
    db.session.commit()
    answer = _post(app, journey, token, {"format": "top-evidence/1", "payload": {}})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["signature"]
    plain = app.test_client().post(
        _url(journey), data="x", content_type="text/plain", headers=bearer(token)
    )
    assert plain.status_code == 415
    assert _written() == (0, [None])


def test_post_to_needs_a_token_and_https_off_this_machine():
    from click.testing import CliRunner

    from top.cli import top_group

    base = ["check", "--gateway", "sandbox", "--app-key", DEMO_APP_KEY]
    token = "tev1.7.sandbox.0123456789abcdef." + "A" * 43
    runner = CliRunner()
    env = {"TOP_APP_SECRET": DEMO_APP_SECRET}
    alone = runner.invoke(top_group, [*base, "--post-to", "https://desk.example.com"], env=env)
    assert alone.exit_code == 2 and "give --evidence-token too" in alone.output
    plain = runner.invoke(
        top_group,
        [*base, "--evidence-token", token, "--post-to", "http://desk.example.com"],
        env=env,
    )
    assert plain.exit_code == 2 and "needs https" in plain.output
    assert token not in plain.output
