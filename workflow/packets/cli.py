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
from workflow.packets.native import RendererUnavailable
from workflow.packets.operations import Rebuild, rebuild_packet
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
    "--render",
    is_flag=True,
    help="Render afresh even where the stored bytes could be served, and compare byte for byte: "
    "how an operator checks a new machine. Writes the fresh render.",
)
@click.option(
    "--current-data",
    is_flag=True,
    help="Render from the data as it is now even where it changed since the submission.",
)
def build_command(journey_id, kind, output, render, current_data):
    """Build the packet of an existing submission and write it to a file.

    Exits 1 when a fresh render of unchanged data differs from the recorded packet.
    """
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise click.ClickException(f"no journey {journey_id}")
    packet = _submission_packet(journey, kind)
    try:
        result = rebuild_packet(packet, render=render or current_data)
    except RendererUnavailable as exc:
        raise click.ClickException(exc.message) from None
    pdf, note, mismatch = _build_outcome(result, render=render, current_data=current_data)
    output.write(pdf)
    click.echo(f"{packet.reference} {len(pdf)} bytes sha256 {hashlib.sha256(pdf).hexdigest()}")
    click.echo(note)
    if mismatch:
        raise SystemExit(1)


def _build_outcome(result: Rebuild, *, render: bool, current_data: bool) -> tuple[bytes, str, bool]:
    """What to write, what to say, and whether it is a mismatch an operator must look at."""
    if result.data_unchanged is False:
        if current_data:
            return (
                result.pdf,
                "rendered from the data as it is now; it differs from the recorded packet",
                False,
            )
        return (
            result.recorded,
            "served the recorded packet: the data has changed since the submission, so a fresh "
            "render could not match it (--current-data renders the data as it is now)",
            False,
        )
    if not result.rendered:
        return (
            result.pdf,
            "served the stored bytes: the data and the renderer are those of the submission "
            "(--render renders afresh and compares byte for byte)",
            False,
        )
    why = _renderer_note(result)
    if result.identical:
        return (
            result.pdf,
            f"rendered afresh: identical to the recorded packet, byte for byte{why}",
            False,
        )
    return (
        result.pdf if render or current_data else result.recorded,
        f"rendered afresh: DIFFERS from the recorded packet{why}",
        True,
    )


def _renderer_note(result: Rebuild) -> str:
    if result.renderer_unchanged is None:
        return " (it predates the recorded renderer, so the data or the renderer may have moved)"
    if result.renderer_unchanged:
        return ""
    return (
        f"; this machine's renderer {result.renderer[:12]} is not the one that made it "
        f"({(result.recorded_renderer or '')[:12]}): compare the HarfBuzz, Pango, fontconfig, "
        "WeasyPrint and font versions"
    )


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
