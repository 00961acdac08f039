"""``flask packets build`` and ``flask packets verify``."""

from __future__ import annotations

import hashlib

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.audit import verify_chain
from workflow.extensions import db
from workflow.models import Event, Journey, Packet
from workflow.packets.builder import KIND_TITLES
from workflow.packets.operations import rebuild_packet, stored_bytes
from workflow.packets.verify import verify_packet

packets_cli = AppGroup("packets", help="Build and verify PDF submission packets.")


def _submission_packet(journey: Journey, kind: str) -> Packet:
    """The packet of the newest submission of this kind."""
    packet = db.session.scalars(
        select(Packet)
        .where(Packet.journey_id == journey.id, Packet.kind == kind)
        .order_by(Packet.id.desc())
        .limit(1)
    ).first()
    if packet is None:
        raise click.ClickException(f"journey {journey.id} has no {kind} submission")
    return packet


@packets_cli.command("build")
@click.option("--journey", "journey_id", type=int, required=True)
@click.option("--kind", type=click.Choice(sorted(KIND_TITLES)), required=True)
@click.option("-o", "--output", type=click.File("wb"), required=True)
@click.option(
    "--current-data",
    is_flag=True,
    help="Render from the data as it is now even where it changed since the submission.",
)
def build_command(journey_id, kind, output, current_data):
    """Build the packet of an existing submission and write it to a file."""
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise click.ClickException(f"no journey {journey_id}")
    packet = _submission_packet(journey, kind)
    pdf, unchanged = rebuild_packet(packet)
    if unchanged:
        note = "rebuilt from the submitted data; identical to the recorded packet"
    elif current_data:
        note = "rendered from the data as it is now; it differs from the recorded packet"
    else:
        pdf = stored_bytes(packet)
        note = (
            "the data has changed since the submission, so this is the recorded packet "
            "(--current-data renders the data as it is now)"
        )
    output.write(pdf)
    click.echo(f"{packet.reference} {len(pdf)} bytes sha256 {hashlib.sha256(pdf).hexdigest()}")
    click.echo(note)


@packets_cli.command("verify")
@click.argument("file", type=click.File("rb"))
def verify_command(file):
    """Check a packet's attachments, its hash against the audit trail, and the chain."""
    pdf = file.read()
    digest = hashlib.sha256(pdf).hexdigest()
    # The submission's event carries the packet's hash inside its own chained hash.
    event = db.session.scalars(select(Event).where(Event.packet_sha256 == digest)).first()
    report = verify_packet(
        pdf,
        expected_sha256=digest if event else None,
        expected_chain_hash=event.prev_hash if event else None,
    )
    for line in report.lines():
        click.echo(line)
    if event is None:
        click.echo("audit trail: NOT FOUND, no submission event records this packet's SHA-256")
        raise SystemExit(1)
    chain = verify_chain()
    click.echo(
        f"audit trail: recorded by event {event.id} of journey {event.journey_id}; "
        + ("chain ok" if chain.ok else f"chain BROKEN at event {chain.broken_event_id}")
    )
    if not report.ok or not chain.ok:
        raise SystemExit(1)
