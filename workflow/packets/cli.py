"""``flask packets build`` and ``flask packets verify``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Event, Journey, Packet
from workflow.packets.builder import KIND_TITLES, PACKET_KIND_FOR_STATE, packet_kind
from workflow.packets.operations import build_packet
from workflow.packets.verify import verify_packet
from workflow.storage_setup import get_storage

packets_cli = AppGroup("packets", help="Build and verify PDF submission packets.")


def _submission_event(journey: Journey, kind: str) -> Event:
    """The newest event that entered a state producing this kind of packet."""
    for event in reversed(journey.events):
        if (
            PACKET_KIND_FOR_STATE.get(event.to_state)
            and packet_kind(journey, event.to_state) == kind
        ):
            return event
    raise click.ClickException(f"journey {journey.id} has no {kind} submission")


@packets_cli.command("build")
@click.option("--journey", "journey_id", type=int, required=True)
@click.option("--kind", type=click.Choice(sorted(KIND_TITLES)), required=True)
@click.option("-o", "--output", type=click.File("wb"), required=True)
def build_command(journey_id, kind, output):
    """Build the packet of an existing submission and write it to a file."""
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise click.ClickException(f"no journey {journey_id}")
    packet = build_packet(journey, _submission_event(journey, kind), kind)
    db.session.commit()
    with get_storage().open(packet.file_id) as fh:
        output.write(fh.read())
    click.echo(f"{packet.reference} {packet.size} bytes sha256 {packet.sha256}")


@packets_cli.command("verify")
@click.argument("file", type=click.File("rb"))
def verify_command(file):
    """Check a packet's attachments, its hash against the audit trail, and the chain."""
    pdf = file.read()
    import hashlib

    digest = hashlib.sha256(pdf).hexdigest()
    stored = db.session.scalars(select(Packet).where(Packet.sha256 == digest)).first()
    chain_hash = None
    if stored is not None:
        chain_hash = db.session.get(Event, stored.event_id).hash
    report = verify_packet(
        pdf,
        expected_sha256=stored.sha256 if stored else None,
        expected_chain_hash=chain_hash,
    )
    for line in report.lines():
        click.echo(line)
    if stored is None:
        click.echo("packet hash: NOT FOUND among the packets recorded by this desk")
    else:
        click.echo(
            f"packet hash: matches {stored.reference}, recorded with event {stored.event_id}"
        )
    if not report.ok or stored is None:
        raise SystemExit(1)
