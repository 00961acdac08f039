"""Check a packet against the chain: the PDF's hash, the inputs it was rendered from, a re-render.

A packet rendered by the worker is vouched for by two chained events. The submission's event
records the SHA-256 of the inputs frozen at submission (and the renderer digest); the
``packet.rendered`` event records the PDF's SHA-256. ``check_against_chain`` checks both, that
the stored copy still has that hash, and that the snapshot renders to the same bytes again.
A packet from before snapshots has only the submission's event, which records its hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from storage import ObjectNotFound
from workflow.audit import ChainReport, verify_chain
from workflow.extensions import db
from workflow.models import DecisionKind, Event, Packet, PacketSnapshot
from workflow.packets import cache
from workflow.packets.native import RendererUnavailable
from workflow.packets.render import render_packet
from workflow.packets.snapshot import SnapshotUnreadable, digest
from workflow.packets.verify import VerifyReport, verify_packet


@dataclass
class ChainCheck:
    report: VerifyReport
    #: The event that records this PDF's SHA-256; None when no event does.
    event: Event | None
    chain: ChainReport

    @property
    def ok(self) -> bool:
        return self.event is not None and self.report.ok and self.chain.ok

    def lines(self) -> list[str]:
        lines = self.report.lines()
        if self.event is None:
            return [*lines, "audit trail: NOT FOUND, no event records this packet's SHA-256"]
        chain = (
            "chain ok" if self.chain.ok else f"chain BROKEN at event {self.chain.broken_event_id}"
        )
        return [
            *lines,
            f"audit trail: recorded by event {self.event.id} of journey {self.event.journey_id}; "
            + chain,
        ]


def check_against_chain(pdf: bytes, *, render: bool = True) -> ChainCheck:
    """Verify ``pdf`` on its own and against the events that vouch for it.

    ``render`` renders the snapshot again and compares byte for byte (a second or so).
    """
    sha256 = hashlib.sha256(pdf).hexdigest()
    event = db.session.scalars(
        select(Event).where(Event.packet_sha256 == sha256).order_by(Event.id)
    ).first()
    if event is None:
        return ChainCheck(verify_packet(pdf), None, verify_chain())
    snapshot = db.session.scalar(
        select(PacketSnapshot).where(PacketSnapshot.rendered_event_id == event.id)
    )
    submission = db.session.get(Event, snapshot.event_id) if snapshot else event
    report = verify_packet(pdf, expected_sha256=sha256, expected_chain_hash=_trail_head(submission))
    if snapshot is not None:
        _check_snapshot(report, snapshot, submission, event, pdf, render=render)
    return ChainCheck(report, event, verify_chain())


def _trail_head(submission: Event) -> str:
    """The hash of the journey's last event before the submission: the packet's trail ends
    there (the chain is global, so this is not always the submission's ``prev_hash``)."""
    head = db.session.scalar(
        select(Event.hash)
        .where(Event.journey_id == submission.journey_id, Event.id < submission.id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return head or ""


def _check_snapshot(
    report: VerifyReport,
    snapshot: PacketSnapshot,
    submission: Event,
    rendered: Event,
    pdf: bytes,
    *,
    render: bool,
) -> None:
    recorded = submission.data.get("packet_inputs") or {}
    if snapshot.emptied_at is not None:
        report.add(
            "submission inputs",
            recorded.get("sha256") == snapshot.inputs_sha256,
            f"emptied under retention on {snapshot.emptied_at:%Y-%m-%d} with the packet's file; "
            f"event {submission.id} keeps their sha256 {recorded.get('sha256')}",
        )
        _check_stored(report, db.session.get(Packet, snapshot.packet_id), rendered)
        return
    inputs = digest(snapshot.inputs)
    report.add(
        "submission inputs",
        inputs == recorded.get("sha256") == snapshot.inputs_sha256,
        f"snapshot sha256 {inputs}; event {submission.id} records {recorded.get('sha256')}",
    )
    report.add(
        "submission renderer",
        recorded.get("renderer") == snapshot.renderer_digest,
        f"event {submission.id} records renderer {str(recorded.get('renderer'))[:12]}",
    )
    about = rendered.data.get("about", {})
    report.add(
        "rendered event",
        rendered.event == DecisionKind.packet_rendered.value
        and about.get("inputs_sha256") == inputs,
        f"event {rendered.id} ({rendered.event}) records this PDF, rendered from inputs "
        f"{about.get('inputs_sha256')}",
    )
    _check_stored(report, db.session.get(Packet, snapshot.packet_id), rendered)
    if render:
        _check_render(report, snapshot, pdf)


def _check_stored(report: VerifyReport, packet: Packet | None, rendered: Event) -> None:
    from workflow.packets.operations import stored_bytes
    from workflow.retention import FileDeleted

    if packet is None:
        report.add("stored packet", False, "no packet row for this snapshot")
        return
    try:
        stored = hashlib.sha256(stored_bytes(packet)).hexdigest()
    except FileDeleted as deleted:
        report.add("stored packet", True, f"{deleted.message} (its SHA-256 stays on record)")
        return
    report.add(
        "stored packet",
        stored == rendered.packet_sha256 == packet.sha256,
        f"{packet.reference} in storage has sha256 {stored}",
    )


def _check_render(report: VerifyReport, snapshot: PacketSnapshot, pdf: bytes) -> None:
    from workflow.packets.rendering import snapshot_data

    try:
        again = render_packet(snapshot_data(snapshot))
    except (RendererUnavailable, SnapshotUnreadable, ObjectNotFound, OSError, ValueError) as error:
        report.add("re-render from snapshot", False, f"cannot render it again ({error})")
        return
    here = cache.renderer_digest()
    note = (
        ""
        if here == snapshot.renderer_digest
        else f" (this machine's renderer {here[:12]} differs)"
    )
    identical = again == pdf
    report.add(
        "re-render from snapshot",
        identical,
        ("byte-identical" if identical else "DIFFERS from this PDF") + note,
    )
