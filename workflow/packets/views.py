from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required

from workflow.extensions import db
from workflow.operations import get_journey_for
from workflow.packets import operations, panels  # noqa: F401  (registers the panel)
from workflow.storage_setup import get_storage

bp = Blueprint("packets", __name__)


def _send(packet):
    return get_storage().download_response(
        packet.file_id, filename=operations.filename(packet), content_type="application/pdf"
    )


@bp.route("/journeys/<int:journey_id>/packets/<int:packet_id>.pdf")
@login_required
def download(journey_id: int, packet_id: int):
    journey = get_journey_for(current_user, journey_id)
    return _send(operations.get_packet_for(current_user, journey, packet_id))


@bp.route("/journeys/<int:journey_id>/packets/<int:packet_id>/mail", methods=["POST"])
@login_required
def mail_copy(journey_id: int, packet_id: int):
    journey = get_journey_for(current_user, journey_id)
    packet = operations.get_packet_for(current_user, journey, packet_id)
    operations.send_copy(packet, current_user)
    db.session.commit()
    flash(f"A copy of {packet.reference} is on its way to {current_user.email}.", "success")
    return redirect(url_for("journeys.show", journey_id=journey_id) + "#packets")


@bp.route("/packets/link/<token>")
def by_link(token: str):
    """The time-limited link mailed in place of a packet too large to attach."""
    return _send(operations.packet_from_link(token))
