"""Retention: files and mail past the admin's periods are deleted; the chain still verifies.

A real ISV journey (documents, two packets, sandbox evidence uploaded from a host, mail) is
withdrawn, an admin sets the periods on the page, and the deletion runs as of a later day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from storage import ObjectNotFound
from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    fire_event,
    isv,
    save_isv_details,
    upload_all,
    versions,
)
from tests.support import PASSWORD
from tests.test_end_to_end import _apply_for_apis, _ok, _run_on_host, gateway  # noqa: F401
from top.evidence import stand_in_url
from workflow import retention
from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.models import (
    DeletedFile,
    DocumentVersion,
    Event,
    Evidence,
    OutboxMessage,
    Packet,
    PacketSnapshot,
    RetentionKind,
    RetentionRule,
    Role,
)
from workflow.models.base import utcnow
from workflow.storage_setup import get_storage


def _withdrawn_isv_journey(isv, client_for, gateway):  # noqa: F811
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    jid = isv.journey.id
    save_isv_details(applicant, jid)
    upload_all(applicant, isv)
    _ok(fire_event(applicant, jid, "submit"))
    for version in versions(jid):
        _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, jid, "approve"))
    _apply_for_apis(applicant, reviewer, jid, new=False)
    _ok(fire_event(applicant, jid, "start_sandbox"))
    # Run on the applicant's host, so the signed report arrives as a file.
    _run_on_host(applicant, jid, "sandbox", stand_in_url(gateway.url, "sandbox"))
    _ok(fire_event(applicant, jid, "withdraw"))
    send_due()  # the mail of the journey goes out, so it has a sending date
    db.session.commit()
    return applicant, jid


def _cli(*args):
    return current_app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def admin_client(app, make_user):
    admin = make_user(Role.admin)
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status == (
        "302 FOUND"
    )
    return client


def _file_ids(jid):
    ids = []
    for model in (DocumentVersion, Packet, Evidence):
        ids += db.session.scalars(
            select(model.file_id).where(model.journey_id == jid, model.file_id.is_not(None))
        ).all()
    return ids


def test_expired_files_are_deleted_and_the_chain_still_verifies(
    isv,  # noqa: F811
    client_for,  # noqa: F811
    gateway,  # noqa: F811
    admin_client,
):
    applicant, jid = _withdrawn_isv_journey(isv, client_for, gateway)
    stored = _file_ids(jid)
    assert len(stored) == 6 + 2 + 1  # six documents, two packets, one evidence report
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.journey_id == jid)).all()
    assert mails and all(mail.sent_at for mail in mails)

    page = admin_client.post(
        "/admin/retention",
        data={"documents": "30", "evidence": "30", "packets": "30", "mail": "30"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "Retention saved" in page.get_data(as_text=True)
    assert {r.kind: r.days for r in db.session.scalars(select(RetentionRule))} == dict.fromkeys(
        RetentionKind, 30
    )
    # Today nothing is due: the journey ended minutes ago.
    assert retention.due_counts() == {}
    assert "0 records due" in _cli("retention", "run", "--dry-run").output

    later = utcnow() + timedelta(days=31)
    assert retention.due_counts(later) == {
        RetentionKind.documents: 6,
        RetentionKind.evidence: 1,
        RetentionKind.packets: 2,
        RetentionKind.mail: len(mails),
    }
    events_before = db.session.scalar(select(func.count(Event.id)))
    report = retention.apply_retention(later)
    db.session.commit()

    # The objects are gone from storage, and every row kept its hash.
    storage = get_storage()
    for file_id in stored:
        with pytest.raises(ObjectNotFound):
            storage.open(file_id)
    assert _file_ids(jid) == []
    assert all(v.sha256 for v in versions(jid))
    records = db.session.scalars(select(DeletedFile).where(DeletedFile.journey_id == jid)).all()
    assert len(records) == 6 + 2 + 1 + len(mails)
    assert {r.sha256 for r in records} >= {v.sha256 for v in versions(jid)}
    assert report.summary() == f"9 files deleted on 1 journeys, {len(mails)} sent mails emptied"
    for mail in db.session.scalars(select(OutboxMessage).where(OutboxMessage.journey_id == jid)):
        assert (mail.to_addr, mail.subject, mail.body) == ("", "", "")
        assert mail.purged_at is not None

    # One chained decision names them, under the desk's retention rule.
    assert db.session.scalar(select(func.count(Event.id))) == events_before + 1
    event = db.session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
    assert event.event == "files.deleted" and event.journey_id == jid
    assert event.actor.name == "Onboarding desk, retention policy"

    check = _cli("storage", "check")
    assert check.exit_code == 0, check.output
    assert check.output.startswith("ok ")
    verify = _cli("audit", "verify")
    assert verify.exit_code == 0, verify.output
    assert "replay ok" in verify.output and "deleted_files" in verify.output

    # The trail says what was deleted and when; downloads say why they are gone.
    trail = " ".join(applicant.get(f"/journeys/{jid}/timeline").get_data(as_text=True).split())
    assert (
        "Deleted under the 30-day retention for documents, evidence, mail and packets: "
        f"{len(records)} records (their SHA-256 stay on record)"
    ) in trail
    document = versions(jid)[0]
    gone = applicant.get(f"/enablement/documents/{document.id}/file?download=1")
    assert gone.status_code == 410
    body = gone.get_data(as_text=True)
    assert f"deleted on {later:%Y-%m-%d}" in body and document.sha256 in body
    packet = db.session.scalars(select(Packet).where(Packet.journey_id == jid)).first()
    assert applicant.get(f"/journeys/{jid}/packets/{packet.id}.pdf").status_code == 410
    # The inputs each packet was rendered from leave with it; the chain keeps their digest.
    snapshots = db.session.scalars(
        select(PacketSnapshot).where(PacketSnapshot.journey_id == jid)
    ).all()
    assert len(snapshots) == 2
    assert all(s.inputs == "" and s.emptied_at is not None for s in snapshots)
    assert all(
        db.session.get(Event, s.event_id).data["packet_inputs"]["sha256"] == s.inputs_sha256
        for s in snapshots
    )

    listing = admin_client.get("/admin/retention").get_data(as_text=True)
    assert f"Packet {packet.reference}" in listing and document.sha256 in listing

    # A second run finds nothing more to do.
    again = retention.apply_retention(later)
    assert again.deleted == [] and again.purged_mail == 0


def test_altering_a_deletion_record_breaks_the_replay(
    isv,  # noqa: F811
    client_for,  # noqa: F811
    gateway,  # noqa: F811
):
    _, jid = _withdrawn_isv_journey(isv, client_for, gateway)
    db.session.add(RetentionRule(kind=RetentionKind.documents, days=1))
    db.session.commit()
    retention.apply_retention(utcnow() + timedelta(days=2))
    db.session.commit()
    record = db.session.scalars(select(DeletedFile).where(DeletedFile.journey_id == jid)).first()
    record.sha256 = "0" * 64
    db.session.commit()
    verify = _cli("audit", "verify")
    assert verify.exit_code == 1
    assert f"deleted_files {record.id}, sha256" in verify.output


def test_journeys_still_under_way_keep_their_files(isv, client_for, admin_client):  # noqa: F811
    applicant = client_for(isv.applicant)
    jid = isv.journey.id
    save_isv_details(applicant, jid)
    upload_all(applicant, isv)
    db.session.add(RetentionRule(kind=RetentionKind.documents, days=1))
    db.session.commit()
    assert retention.due_counts(utcnow() + timedelta(days=400)) == {}
    assert len(_file_ids(jid)) == 6


def test_the_period_form_refuses_nonsense_and_keeps_what_was_typed(admin_client):
    page = admin_client.post("/admin/retention", data={"documents": "0", "evidence": "90"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Number must be between 1 and 36500" in text
    assert 'value="90"' in text
    assert db.session.scalar(select(func.count()).select_from(RetentionRule)) == 0
    empty = admin_client.get("/admin/retention").get_data(as_text=True)
    assert "No period is set: nothing is ever deleted." in empty


def test_only_admins_see_retention(client_for, isv):  # noqa: F811
    for user in (isv.reviewer, isv.applicant):
        client = client_for(user)
        assert client.get("/admin/retention").status_code == 404
        assert client.post("/admin/retention/run").status_code == 404


def test_the_worker_runs_retention_daily(isv, client_for, monkeypatch):  # noqa: F811
    applicant = client_for(isv.applicant)
    jid = isv.journey.id
    save_isv_details(applicant, jid)
    upload_all(applicant, isv)
    _ok(fire_event(applicant, jid, "withdraw"))
    db.session.add(RetentionRule(kind=RetentionKind.documents, days=10))
    db.session.commit()
    stored = _file_ids(jid)
    assert len(stored) == 6
    later = utcnow() + timedelta(days=11)
    monkeypatch.setattr(retention, "utcnow", lambda: later)
    result = _cli("worker", "--once", "--kinds", "retention")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "done 1, retrying 0, failed 0"
    db.session.expire_all()
    assert _file_ids(jid) == []
    for file_id in stored:
        with pytest.raises(ObjectNotFound):
            get_storage().open(file_id)
    kinds = db.session.scalars(select(DeletedFile.kind).where(DeletedFile.journey_id == jid))
    assert set(kinds) == {RetentionKind.documents}
    assert _cli("storage", "check").exit_code == 0
    assert _cli("audit", "verify").exit_code == 0
