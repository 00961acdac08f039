from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _, _l
from workflow.journeys.actions import act
from workflow.models import Packet, PacketSnapshot
from workflow.operations import get_journey_for
from workflow.packets import operations, panels  # noqa: F401  (registers the panel)
from workflow.policy import Action
from workflow.retention import ensure_file_kept
from workflow.storage_setup import get_storage
from workflow.web.access import public, requires_action, row_on_journey

bp = Blueprint("packets", __name__)

packet_on_journey = row_on_journey(Packet, "packet_id", "packet")

#: Seconds a "being prepared" page asks the browser to wait before it tries again.
RETRY_AFTER = 5


def snapshot_of_submission(journey_id: int, event_id: int, **_) -> PacketSnapshot:
    snapshot = db.session.scalar(
        select(PacketSnapshot).where(
            PacketSnapshot.event_id == event_id, PacketSnapshot.journey_id == journey_id
        )
    )
    if snapshot is None:
        raise NotFound(_l("No such packet."))
    return snapshot


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


@bp.route("/journeys/<int:journey_id>/packets/submission/<int:event_id>")
@requires_action(Action.download_packet, target=snapshot_of_submission)
def of_submission(journey_id: int, event_id: int):
    """A submission's packet: the download once rendered, a 202 "being prepared" until then."""
    get_journey_for(current_user, journey_id)
    snapshot = snapshot_of_submission(journey_id, event_id)
    if snapshot.is_ready:
        return redirect(
            url_for("packets.download", journey_id=journey_id, packet_id=snapshot.packet_id)
        )
    page = render_template(
        "journeys/packet_preparing.html", snapshot=snapshot, retry_after=RETRY_AFTER
    )
    return page, 202, {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}


@bp.route("/journeys/<int:journey_id>/packets/<int:packet_id>/mail", methods=["POST"])
@requires_action(Action.mail_packet_copy, target=packet_on_journey)
def mail_copy(journey_id: int, packet_id: int):
    def send(journey):
        packet = operations.get_packet_for(current_user, journey, packet_id)
        operations.send_copy(packet, current_user)
        return packet

    return act(
        journey_id,
        send,
        lambda packet: _(
            "A copy of %(reference)s is on its way to %(email)s.",
            reference=packet.reference,
            email=current_user.email,
        ),
        "packets",
    )


@bp.route("/packets/link/<token>")
@public("the link itself is the credential: signed, time-limited and bound to the packet's hash")
def by_link(token: str):
    """The time-limited link mailed in place of a packet too large to attach."""
    return _send(operations.packet_from_link(token))
