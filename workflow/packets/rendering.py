"""A submission's packet, out of the request: freeze its inputs, render it in the worker.

At submission (``preparing_event``) the packet's data is built from the rows and frozen into a
``PacketSnapshot``; the submission's chained event records the snapshot's SHA-256 and the
renderer digest. The ``packet`` job renders the PDF from the snapshot alone, stores it, and
records its SHA-256 in a second chained event (``DecisionKind.packet_rendered``, through the
audited door). Mail that carries the packet is queued from there (``packet_ready``).

The render holds no transaction: no row lock and, on SQLite, no write lock while WeasyPrint
works. ``PACKETS_RENDER_INLINE`` renders in the request instead (the test suite).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflow import files
from workflow.decisions import decide
from workflow.extensions import db
from workflow.jobs import GiveUp, JobKind, enqueue, outside_transaction
from workflow.models import DecisionKind, Event, Job, Journey, Packet, PacketSnapshot, Role, User
from workflow.models.journeys import canonical_json
from workflow.packets import cache
from workflow.packets.builder import build_packet_data, events_before, packet_kind, reference_for
from workflow.packets.data import PacketData
from workflow.packets.render import render_packet
from workflow.packets.snapshot import freeze, thaw
from workflow.rules import PACKETS, desk_actor
from workflow.signals import packet_ready, preparing_event
from workflow.storage_setup import get_storage

log = logging.getLogger(__name__)

KIND = "packet"
MAX_ATTEMPTS = 5


@dataclass
class PendingPacket:
    """A submission's frozen packet inputs, waiting for the submission's event."""

    kind: str
    reference: str
    inputs: str
    inputs_sha256: str
    renderer_digest: str
    #: The event does not know the PDF's hash yet: the second event records it.
    sha256: None = None

    @property
    def event_payload(self) -> str:
        return canonical_json({"packet_inputs": inputs_record(self)})

    def finish(self, event: Event) -> PacketSnapshot:
        snapshot = PacketSnapshot(
            journey_id=event.journey_id,
            event_id=event.id,
            kind=self.kind,
            reference=self.reference,
            inputs=self.inputs,
            inputs_sha256=self.inputs_sha256,
            renderer_digest=self.renderer_digest,
        )
        db.session.add(snapshot)
        db.session.flush()
        if current_app.config["PACKETS_RENDER_INLINE"]:
            render_snapshot(snapshot)
        else:
            enqueue(KIND, {"snapshot": snapshot.id}, dedupe_key=f"{KIND}:{snapshot.id}")
        return snapshot

    def discard(self) -> None:
        """Nothing was stored yet; the snapshot row rolls back with the event."""


def inputs_record(row) -> dict:
    """What the submission's event says of its packet (a ``PendingPacket`` or its snapshot)."""
    return {
        "kind": row.kind,
        "reference": row.reference,
        "sha256": row.inputs_sha256,
        "renderer": row.renderer_digest,
    }


@preparing_event.connect
def prepare_submission_packet(journey: Journey, *, actor: User, at: datetime, **_):
    """An applicant's submission freezes its packet's inputs; its event hashes their digest."""
    kind = packet_kind(journey, journey.state) if actor.role is Role.applicant else None
    if kind is None:
        return None
    data = build_packet_data(
        journey,
        kind,
        reference=reference_for(journey),
        submitted_at=at,
        trail=events_before(journey),
    )
    frozen = freeze(data)
    return PendingPacket(kind, data.reference, frozen.text, frozen.sha256, cache.renderer_digest())


def snapshot_data(snapshot: PacketSnapshot | str) -> PacketData:
    """The packet data a snapshot (or its text) holds, opening documents from storage."""
    storage = get_storage()
    text = snapshot if isinstance(snapshot, str) else snapshot.inputs
    return thaw(text, storage.open)


def render_snapshot(snapshot: PacketSnapshot) -> Packet:
    """Render and record ``snapshot``'s packet in the caller's transaction (flush only)."""
    return record_rendered(snapshot, render_packet(snapshot_data(snapshot)))


def record_rendered(snapshot: PacketSnapshot, pdf: bytes) -> Packet:
    """Store ``pdf`` as ``snapshot``'s packet, chain its SHA-256, and queue its mail."""
    with files.stored(
        io.BytesIO(pdf), content_type="application/pdf", limit_uploads=False
    ) as stored:
        renderer = cache.renderer_digest()
        packet = Packet(
            journey_id=snapshot.journey_id,
            event_id=snapshot.event_id,
            kind=snapshot.kind,
            reference=snapshot.reference,
            file_id=stored.file_id,
            sha256=stored.sha256,
            size=stored.size,
            cache_key=cache.packet_cache_key(snapshot_data(snapshot), renderer=renderer),
            renderer_digest=renderer,
        )
        db.session.add(packet)
        db.session.flush()
        journey = db.session.get(Journey, snapshot.journey_id)
        event = decide(
            journey,
            desk_actor(PACKETS),
            DecisionKind.packet_rendered,
            [],
            {
                "packet": snapshot.reference,
                "inputs_sha256": snapshot.inputs_sha256,
                "renderer": renderer,
            },
            packet_sha256=stored.sha256,
        )
        snapshot.packet_id, snapshot.rendered_event_id = packet.id, event.id
        db.session.flush()
    packet_ready.send(packet, submission=db.session.get(Event, snapshot.event_id))
    return packet


def render_packet_job(job: Job) -> None:
    """Render one submission's packet from its snapshot.

    Effect rule: inside the database, the ``Packet`` row, the chained ``packet.rendered`` event
    and the mail that carries the packet commit together with the job's done mark, or not at
    all; outside it, one stored PDF, deleted again when that transaction rolls back. A snapshot
    already rendered is left alone, so a job that runs twice records its packet once.
    """
    snapshot = db.session.get(PacketSnapshot, job.payload.get("snapshot"))
    if snapshot is None:
        raise GiveUp(f"packet snapshot {job.payload.get('snapshot')} does not exist")
    if snapshot.is_ready:
        return
    snapshot_id, text = snapshot.id, snapshot.inputs
    with outside_transaction():  # no lock while WeasyPrint works
        pdf = render_packet(snapshot_data(text))
    snapshot = db.session.get(PacketSnapshot, snapshot_id)
    if snapshot.is_ready:
        return
    record_rendered(snapshot, pdf)


def packet_kind_job() -> JobKind:
    return JobKind(KIND, render_packet_job, max_attempts=MAX_ATTEMPTS)


def snapshot_of_event(event: Event) -> PacketSnapshot | None:
    return db.session.scalars(
        select(PacketSnapshot).where(PacketSnapshot.event_id == event.id)
    ).first()


def preparing_of(journey: Journey) -> list[dict]:
    """The journey's submissions whose packet is still being rendered, newest first.

    Read from the journey's events (loaded once for its page): a submission's event names its
    packet's inputs, and the ``packet.rendered`` event names the packet made from them.
    """
    events = sorted(journey.events, key=lambda e: e.id)
    rendered = {
        e.data.get("about", {}).get("packet")
        for e in events
        if e.event == DecisionKind.packet_rendered.value
    }
    waiting = []
    for e in events:
        if e.is_decision or not e.payload:
            continue
        inputs = e.data.get("packet_inputs")
        if inputs and inputs["reference"] not in rendered:
            waiting.append({"event": e, "reference": inputs["reference"], "kind": inputs["kind"]})
    return waiting[::-1]
