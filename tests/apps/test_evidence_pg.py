"""Two uploads of one token-signed report at the same moment, on PostgreSQL: one wins."""

from __future__ import annotations

import io
import json
import threading

from sqlalchemy import select

from tests.support import clear_tables
from top.evidence import sign_with_token, stand_in_url
from top.report import CheckReport, CheckResult
from workflow.apps import evidence as evidence_ops
from workflow.apps.provenance import issue_token
from workflow.apps.report_schema import ReportProblem
from workflow.extensions import db
from workflow.models import (
    Account,
    AccountKind,
    App,
    Evidence,
    EvidenceKind,
    EvidenceToken,
    Journey,
    Role,
    User,
)
from workflow.models.base import utcnow
from workflow.operations import open_journey


def _setup(app) -> tuple[int, int, bytes]:
    with app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.seller, name="Race Shop", taobao_account_id="race")
        db.session.add(account)
        db.session.flush()
        applicant = User(
            email="a@x.test",
            role=Role.applicant,
            password_hash="x",
            account_id=account.id,
            email_verified_at=utcnow(),
        )
        db.session.add(applicant)
        journey = open_journey(account, None)
        db.session.add(App(account_id=account.id, journey=journey, app_key="12345678", name="A"))
        journey.state = "sandbox_verification"
        db.session.flush()
        token = issue_token(journey, EvidenceKind.sandbox, applicant)
        db.session.commit()
        gateway = stand_in_url(app.config["TOP_GATEWAY_URL"], "sandbox")
        run = CheckReport(gateway, [CheckResult("dns", True, 1.0, message="resolves")],
                          app_key="12345678", gateway_address="127.0.0.1")  # fmt: skip
        signed = sign_with_token(run, token, host={"name": "race-host", "addresses": []})
        return journey.id, applicant.id, json.dumps(signed).encode()


def test_one_token_signs_one_report_even_when_two_uploads_race(pg_app, monkeypatch):
    journey_id, applicant_id, body = _setup(pg_app)
    both_checked = threading.Barrier(2, timeout=20)
    spend = evidence_ops._spend

    def spend_together(token):
        both_checked.wait()  # both uploads found the token unused
        spend(token)

    monkeypatch.setattr(evidence_ops, "_spend", spend_together)
    outcomes: list[str] = []

    def upload() -> None:
        with pg_app.test_request_context():
            journey = db.session.get(Journey, journey_id)
            applicant = db.session.get(User, applicant_id)
            try:
                evidence_ops.attach_uploaded_report(
                    journey, EvidenceKind.sandbox, applicant, io.BytesIO(body), "e.json"
                )
                db.session.commit()
                outcomes.append("accepted")
            except ReportProblem as problem:
                db.session.rollback()
                outcomes.append(problem.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [
        "This evidence token was already used; a token signs one report.",
        "accepted",
    ]
    with pg_app.app_context():
        assert len(db.session.scalars(select(Evidence)).all()) == 1
        assert db.session.scalars(select(EvidenceToken)).one().used_at is not None
