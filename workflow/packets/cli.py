"""``flask packets build`` and ``flask packets verify``."""

from __future__ import annotations

import hashlib

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Journey, Packet
from workflow.packets.builder import KIND_TITLES
from workflow.packets.chain import check_against_chain
from workflow.packets.native import RendererUnavailable
from workflow.packets.operations import Rebuild, rebuild_packet

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
        result = rebuild_packet(packet, render=render or current_data, current_data=current_data)
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
@click.option(
    "--no-render",
    is_flag=True,
    help="Skip rendering the submission's snapshot again to compare byte for byte.",
)
def verify_command(file, no_render):
    """Check a packet's attachments, its hashes against the audit trail, and the chain.

    A packet rendered by the worker is checked against both chained events: the submission's
    (the digest of the inputs frozen then) and the one that records the PDF's SHA-256; the
    stored copy's hash is compared, and the snapshot is rendered again byte for byte.
    """
    check = check_against_chain(file.read(), render=not no_render)
    for line in check.lines():
        click.echo(line)
    if not check.ok:
        raise SystemExit(1)
