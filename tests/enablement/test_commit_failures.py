"""A commit that fails after a file was stored leaves no object behind, on fs and on S3.

The failure is injected where a real one happens: the database refuses the COMMIT itself,
after every row was flushed.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from tests.enablement.conftest import file_for, sample_pdf, upload, versions
from tests.enablement.test_enablement_storage import _s3_storage
from tests.storage.conftest import moto_s3_endpoint, s3_bucket  # noqa: F401  (fixtures)
from top.evidence import EvidenceToken as HostToken
from top.evidence import sign_with_token, stand_in_url
from top.report import CheckReport, CheckResult
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    App,
    Audience,
    EnablementRequest,
    Evidence,
    EvidenceToken,
    Journey,
    Packet,
    Role,
    SellerList,
    StageForm,
)
from workflow.models.base import utcnow
from workflow.storage_cli import storage_cli


@pytest.fixture(params=["fs", "s3"])
def backend(request, app, monkeypatch, desk_storage):
    if request.param == "s3":
        storage = _s3_storage(
            request.getfixturevalue("moto_s3_endpoint"), request.getfixturevalue("s3_bucket")
        )
        monkeypatch.setitem(app.extensions, "storage", storage)
        return storage
    return desk_storage


@pytest.fixture
def failing_commit(app):
    """Make the next COMMIT on the database fail, as a dropped connection would."""
    state = {"armed": False, "failed": 0}

    def refuse(conn):
        if state["armed"]:
            state["armed"], state["failed"] = False, state["failed"] + 1
            raise OperationalError("COMMIT", {}, Exception("injected: the server went away"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", refuse)
    yield state
    event.remove(engine, "commit", refuse)


@pytest.fixture
def commit_applied_then_failing(app):
    """Make the next COMMIT reach the database and take effect, then fail as if the connection
    dropped before the answer came back: the desk cannot tell whether it was applied."""
    state = {"armed": False}

    def apply_then_fail(conn):
        if state["armed"]:
            state["armed"] = False
            conn.connection.dbapi_connection.commit()
            raise OperationalError("COMMIT", {}, Exception("injected: no answer to COMMIT"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", apply_then_fail)
    yield state
    event.remove(engine, "commit", apply_then_fail)


def _stored_ids(storage) -> list[str]:
    return sorted(storage.iter_ids())


def _storage_check(app) -> str:
    result = app.test_cli_runner().invoke(storage_cli, ["check"])
    assert result.exit_code == 0, result.output
    return result.output


def _fail_next_commit(failing_commit, post):
    failed_before = failing_commit["failed"]
    failing_commit["armed"] = True
    response = post()
    assert failing_commit["failed"] == failed_before + 1
    assert response.status_code == 500
    return response


def test_a_document_upload_whose_commit_fails_leaves_no_object(
    app, isv, client_for, backend, failing_commit
):
    applicant = client_for(isv.applicant)
    data, name = file_for("a", isv.account.taobao_account_id)
    _fail_next_commit(failing_commit, lambda: upload(applicant, isv.journey.id, "a", data, name))
    assert versions(isv.journey.id) == []
    assert _stored_ids(backend) == []
    assert "ok 0 referenced objects checked" in _storage_check(app)
    # The desk goes on working: the same upload succeeds and is kept.
    assert upload(applicant, isv.journey.id, "a", data, name).status_code == 302
    (row,) = versions(isv.journey.id)
    assert _stored_ids(backend) == [row.file_id]


def test_a_submission_whose_commit_fails_leaves_no_packet(
    app, seller, client_for, backend, failing_commit
):
    db.session.add(
        EnablementRequest(
            journey_id=seller.journey.id,
            seller_id="2200123456",
            shop_name="Demo Flagship Store",
            contact_name="Li Lei",
            contact_email="li@example.com",
            reason="Sync orders to our ERP",
        )
    )
    db.session.commit()
    applicant = client_for(seller.applicant)
    version = seller.journey.version_id

    def submit():
        return applicant.post(
            f"/journeys/{seller.journey.id}/events/submit", data={"version": version}
        )

    _fail_next_commit(failing_commit, submit)
    db.session.expire_all()
    assert db.session.get(Journey, seller.journey.id).state == "enablement_draft"
    assert db.session.scalars(select(Packet)).all() == []
    assert _stored_ids(backend) == []
    assert "ok 0 referenced objects checked" in _storage_check(app)
    assert submit().status_code == 302
    assert [p.file_id for p in db.session.scalars(select(Packet))] == _stored_ids(backend)


def test_a_seller_list_a_stage_document_and_a_report_whose_commits_fail_leave_nothing(
    app, make_account, make_user, make_journey, client_for, backend, failing_commit
):
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="distribution_setup")
    db.session.add(
        App(
            account_id=account.id,
            journey_id=journey.id,
            app_key="12345678",
            name="Demo APP",
            audience=Audience.other_sellers,  # an ISV's APP serves other sellers
        )
    )
    db.session.commit()
    client = client_for(applicant)
    url = f"/journeys/{journey.id}"
    _fail_next_commit(
        failing_commit,
        lambda: client.post(f"{url}/sellers/authorization", data={"ids": "2200000001\n"}),
    )
    _set_state(journey, "mrd_prd_draft")
    _fail_next_commit(
        failing_commit,
        lambda: client.post(
            f"{url}/forms/mrd/document",
            data={"document": (io.BytesIO(sample_pdf("MRD")), "mrd.pdf")},
        ),
    )
    _set_state(journey, "sandbox_verification")
    report = _signed_report(app, client.post(f"{url}/check/sandbox/token"))
    _fail_next_commit(
        failing_commit,
        lambda: client.post(
            f"{url}/check/sandbox/upload",
            data={"report": (io.BytesIO(json.dumps(report).encode()), "report.json")},
        ),
    )
    db.session.expire_all()
    for model in (SellerList, StageForm, Evidence):
        assert db.session.scalars(select(model)).all() == []
    assert db.session.scalars(select(EvidenceToken)).one().used_at is None  # still usable
    assert _stored_ids(backend) == []
    assert "ok 0 referenced objects checked" in _storage_check(app)


def _signed_report(app, token_page) -> dict:
    """A passing sandbox run signed with the token the page issued (no gateway needed)."""
    token = re.search(r"tev1\.[A-Za-z0-9_.-]+", token_page.get_data(as_text=True)).group()
    gateway = stand_in_url(app.config["TOP_GATEWAY_URL"], "sandbox")
    checks = [CheckResult("dns", True, 1.0, message="resolves")]
    run = CheckReport(gateway, checks, app_key="12345678", gateway_address="127.0.0.1")
    return sign_with_token(run, HostToken.parse(token), host={"name": "h", "addresses": []})


def _set_state(journey: Journey, state: str) -> None:
    db.session.expire_all()
    row = db.session.get(Journey, journey.id)
    row.state = state  # tests may place a journey anywhere in the chart; the app never does this
    db.session.commit()


def test_a_commit_that_was_applied_though_it_failed_keeps_its_object(
    app, isv, client_for, backend, commit_applied_then_failing
):
    applicant = client_for(isv.applicant)
    data, name = file_for("a", isv.account.taobao_account_id)
    commit_applied_then_failing["armed"] = True
    assert upload(applicant, isv.journey.id, "a", data, name).status_code == 500
    assert not commit_applied_then_failing["armed"]
    (row,) = versions(isv.journey.id)  # the row did commit ...
    assert _stored_ids(backend) == [row.file_id]  # ... so its object stays
    assert "ok 1 referenced objects checked" in _storage_check(app)


def test_objects_kept_when_the_database_cannot_confirm_are_swept_once_old(
    app, isv, client_for, backend, failing_commit, monkeypatch
):
    from workflow import files, storage_cli

    def database_away(file_ids):
        raise OperationalError("SELECT", {}, Exception("injected: connection refused"))

    applicant = client_for(isv.applicant)
    data, name = file_for("a", isv.account.taobao_account_id)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "committed_references", database_away)
        _fail_next_commit(
            failing_commit, lambda: upload(applicant, isv.journey.id, "a", data, name)
        )
    assert versions(isv.journey.id) == []
    [kept] = _stored_ids(backend)  # not known to be unreferenced, so not deleted
    assert upload(applicant, isv.journey.id, "a", data, name).status_code == 302
    (row,) = versions(isv.journey.id)
    runner = app.test_cli_runner()
    check = runner.invoke(storage_cli.storage_cli, ["check"])
    assert check.exit_code == 1 and f"orphan    {kept}" in check.output
    young = runner.invoke(storage_cli.storage_cli, ["sweep", "--older-than-hours", "1"])
    assert young.output.strip() == "swept 0 unreferenced objects older than 1 h"
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(storage_cli, "utcnow", lambda: later)
    old = runner.invoke(storage_cli.storage_cli, ["sweep", "--older-than-hours", "1"])
    assert old.output.splitlines() == [
        f"deleted   {kept}",
        "swept 1 unreferenced objects older than 1 h",
    ]
    assert _stored_ids(backend) == [row.file_id]  # the referenced object is never swept
    assert "ok 1 referenced objects checked" in _storage_check(app)
    short = runner.invoke(storage_cli.storage_cli, ["sweep", "--older-than-hours", "0.01"])
    assert short.exit_code == 2 and "older-than-hours" in short.output
