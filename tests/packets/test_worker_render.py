"""Packets out of the request: the submission freezes the inputs, ``flask worker`` renders.

These tests run the production way (``PACKETS_RENDER_INLINE`` off): nothing is rendered while
the applicant waits, the page says "preparing", and the mail that carries the packet waits for
the worker.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from workflow.extensions import db
from workflow.jobs import enqueue
from workflow.models import (
    EnablementRequest,
    Event,
    Job,
    JobStatus,
    OutboxMessage,
    Packet,
    PacketSnapshot,
)
from workflow.packets import rendering
from workflow.packets.operations import recording_event
from workflow.storage_setup import get_storage


@pytest.fixture
def worker_mode(app, monkeypatch):
    monkeypatch.setitem(app.config, "PACKETS_RENDER_INLINE", False)


def _run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--kinds", "packet"])
    assert result.exit_code == 0, result.output
    return result.output


def _pdf_of(packet: Packet) -> bytes:
    with get_storage().open(packet.file_id) as fh:
        return fh.read()


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_submitting_freezes_the_inputs_and_the_worker_renders_them(
    app, worker_mode, seller_submission, login, tmp_path
):
    journey, applicant, submit = seller_submission
    event = submit()

    # The request rendered nothing; it froze the inputs and chained their digest.
    assert db.session.scalar(select(func.count()).select_from(Packet)) == 0
    snapshot = db.session.scalars(select(PacketSnapshot)).one()
    assert snapshot.event_id == event.id and snapshot.packet_id is None
    recorded = event.data["packet_inputs"]
    assert recorded["sha256"] == hashlib.sha256(snapshot.inputs.encode()).hexdigest()
    assert recorded["renderer"] == snapshot.renderer_digest and recorded["kind"] == snapshot.kind
    job = db.session.scalars(select(Job).where(Job.kind == "packet")).one()
    assert job.status is JobStatus.pending and job.payload == {"snapshot": snapshot.id}
    # Mail that carries the packet waits for it.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    client = login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert snapshot.reference in page and "preparing" in page
    pending = client.get(f"/journeys/{journey.id}/packets/submission/{event.id}")
    assert pending.status_code == 202 and pending.headers["Retry-After"] == "5"
    assert "is being prepared" in pending.get_data(as_text=True)

    # A change after the submission cannot reach its packet.
    request = db.session.scalars(select(EnablementRequest)).one()
    request.shop_name = "Renamed Later Store"
    db.session.commit()

    assert "done 1" in _run_worker(app)
    db.session.expire_all()
    packet = db.session.scalars(select(Packet)).one()
    pdf = _pdf_of(packet)
    assert hashlib.sha256(pdf).hexdigest() == packet.sha256
    content = _pdf_text(pdf)
    assert "Demo Flagship Store" in content and "Renamed Later Store" not in content
    rendered = recording_event(packet)
    assert rendered.event == "packet.rendered" and rendered.packet_sha256 == packet.sha256
    assert rendered.data["about"]["inputs_sha256"] == snapshot.inputs_sha256
    assert db.session.get(PacketSnapshot, snapshot.id).rendered_event_id == rendered.id

    # Now the mail goes out, with the packet attached: to the reviewers and the receipt.
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.to_addr for m in mails} == {app.config["TMALL_MAILBOX"], applicant.email}
    assert all(m.attachment_file_id == packet.file_id for m in mails)
    assert all(packet.sha256 in m.body for m in mails)

    ready = client.get(f"/journeys/{journey.id}/packets/submission/{event.id}")
    assert ready.status_code == 302
    assert ready.headers["Location"].endswith(f"/packets/{packet.id}.pdf")
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert 'badge">preparing' not in page and packet.reference in page

    path = tmp_path / "packet.pdf"
    path.write_bytes(pdf)
    result = app.test_cli_runner().invoke(args=["packets", "verify", str(path)])
    assert result.exit_code == 0, result.output
    for check in ("submission inputs", "rendered event", "stored packet"):
        assert f"ok    {check}" in result.output, result.output
    assert "ok    re-render from snapshot: byte-identical" in result.output
    assert f"recorded by event {rendered.id}" in result.output and "chain ok" in result.output


def test_verify_catches_a_snapshot_edited_after_the_submission(
    app, worker_mode, seller_submission, tmp_path
):
    _, _, submit = seller_submission
    submit()
    _run_worker(app)
    snapshot = db.session.scalars(select(PacketSnapshot)).one()
    path = tmp_path / "packet.pdf"
    path.write_bytes(_pdf_of(db.session.get(Packet, snapshot.packet_id)))
    edited = snapshot.inputs.replace("Demo Flagship Store", "Another Store")
    assert edited != snapshot.inputs
    db.session.execute(
        text("UPDATE packet_snapshots SET inputs = :inputs WHERE id = :id"),
        {"inputs": edited, "id": snapshot.id},
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["packets", "verify", str(path)])
    assert result.exit_code == 1
    assert "FAIL  submission inputs" in result.output
    assert "FAIL  re-render from snapshot: DIFFERS from this PDF" in result.output


def test_the_render_holds_no_transaction(app, worker_mode, seller_submission, monkeypatch):
    """While WeasyPrint works the worker holds no transaction: no row lock and, on SQLite,
    no write lock, so submissions go on meanwhile."""
    journey, _, submit = seller_submission
    submit()
    journey_id = journey.id
    db.session.rollback()  # the test itself holds nothing either
    seen = []
    real = rendering.render_packet

    def watching(data):
        seen.append(db.session().in_transaction())
        # Another connection writes the journey's row and commits while the render runs.
        with db.engine.connect() as other:
            other.execute(
                text("UPDATE journeys SET state = state WHERE id = :id"), {"id": journey_id}
            )
            other.commit()
        seen.append("written")
        return real(data)

    monkeypatch.setattr(rendering, "render_packet", watching)
    assert "done 1" in _run_worker(app)
    assert seen == [False, "written"]


def test_a_second_job_for_a_rendered_snapshot_records_nothing_more(
    app, worker_mode, seller_submission
):
    _, _, submit = seller_submission
    submit()
    _run_worker(app)
    snapshot = db.session.scalars(select(PacketSnapshot)).one()
    enqueue("packet", {"snapshot": snapshot.id}, dedupe_key="packet:again")
    db.session.commit()
    assert "done 1" in _run_worker(app)
    assert db.session.scalar(select(func.count()).select_from(Packet)) == 1
    rendered = select(func.count()).where(Event.event == "packet.rendered")
    assert db.session.scalar(rendered) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_a_submission_that_has_no_snapshot_is_not_found(app, seller_submission, login):
    journey, applicant, submit = seller_submission
    client = login(applicant)
    response = client.get(f"/journeys/{journey.id}/packets/submission/999999")
    assert response.status_code == 404
