from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from workflow.extensions import db
from workflow.models import Packet
from workflow.operations import get_journey_for
from workflow.packets import operations, panels  # noqa: F401  (registers the panel)
from workflow.policy import Action
from workflow.retention import ensure_file_kept
from workflow.storage_setup import get_storage
from workflow.web.access import public, requires_action, row_on_journey

bp = Blueprint("packets", __name__)

packet_on_journey = row_on_journey(Packet, "packet_id", "packet")


def _send(packet):
    return get_storage().download_response(
        ensure_file_kept(packet),
        filename=operations.filename(packet),
        content_type="application/pdf",
    )


@bp.route("/journeys/<int:journey_id>/packets/<int:packet_id>.pdf")
@requires_action(Action.download_packet, target=packet_on_journey)
def download(journey_id: int, packet_id: int):
    journey = get_journey_for(current_user, journey_id)
    return _send(operations.get_packet_for(current_user, journey, packet_id))


@bp.route("/journeys/<int:journey_id>/packets/<int:packet_id>/mail", methods=["POST"])
@requires_action(Action.mail_packet_copy, target=packet_on_journey)
def mail_copy(journey_id: int, packet_id: int):
    journey = get_journey_for(current_user, journey_id)
    packet = operations.get_packet_for(current_user, journey, packet_id)
    operations.send_copy(packet, current_user)
    db.session.commit()
    flash(f"A copy of {packet.reference} is on its way to {current_user.email}.", "success")
    return redirect(url_for("journeys.show", journey_id=journey_id) + "#packets")


@bp.route("/packets/link/<token>")
@public("the link itself is the credential: signed, time-limited and bound to the packet's hash")
def by_link(token: str):
    """The time-limited link mailed in place of a packet too large to attach."""
    return _send(operations.packet_from_link(token))
