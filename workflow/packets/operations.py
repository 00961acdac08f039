"""A submission's recorded packet: rebuild it, mail it, find it, download it.

The packet itself is rendered out of the request (``workflow.packets.rendering``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _, _l
from workflow.mail.language import written_for
from workflow.mail.outbox import queue_mail
from workflow.models import Event, Journey, Packet, User
from workflow.packets import cache
from workflow.packets.builder import build_packet_data, events_before
from workflow.packets.cache import packet_cache_key
from workflow.packets.render import render_packet
from workflow.packets.rendering import snapshot_data, snapshot_of_event
from workflow.policy import Action, authorize
from workflow.storage_setup import get_storage

#: Mailed download links stay valid this long.
LINK_MAX_AGE = 7 * 24 * 3600


def packet_of_event(event: Event) -> Packet | None:
    """The packet of a submission's event (None while it is still being rendered)."""
    return db.session.scalars(select(Packet).where(Packet.event_id == event.id)).first()


def recording_event(packet: Packet) -> Event | None:
    """The chained event that records the packet's SHA-256: the ``packet.rendered`` event, or
    for a packet rendered in the request before snapshots, its submission's own event."""
    return db.session.scalars(
        select(Event)
        .where(Event.journey_id == packet.journey_id, Event.packet_sha256 == packet.sha256)
        .order_by(Event.id)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Rebuild:
    """A recorded submission's packet built again, and how it compares with the recorded one."""

    pdf: bytes
    #: The bytes recorded at the submission.
    recorded: bytes
    #: False when the stored bytes were served because nothing that shapes them has changed.
    rendered: bool
    identical: bool
    #: Whether the data and the renderer are still those of the submission; None where the
    #: packet predates the recorded renderer and the cache key alone cannot tell which moved.
    data_unchanged: bool | None
    renderer_unchanged: bool | None
    recorded_renderer: str | None
    renderer: str


def rebuild_packet(packet: Packet, *, render: bool = False, current_data: bool = False) -> Rebuild:
    """Build a recorded submission's packet again.

    The data is the snapshot frozen at the submission, where it is still kept; for a packet
    from before snapshots (or one emptied under retention), and when ``current_data`` asks for
    it, the data is built from the rows as they are now. The stored bytes are served only when
    the cache key shows that neither the data nor the renderer changed. Otherwise, or when
    ``render`` asks for it, the packet is rendered afresh and compared with the recorded bytes,
    so a machine whose renderer differs is caught instead of being taken on trust. A packet
    whose data moved on is rendered only when ``render`` asks.
    """
    event = db.session.get(Event, packet.event_id)
    snapshot = None if current_data else snapshot_of_event(event)
    if snapshot is not None and snapshot.emptied_at is None:
        data = snapshot_data(snapshot)
    else:
        journey = db.session.get(Journey, packet.journey_id)
        data = build_packet_data(
            journey,
            packet.kind,
            reference=packet.reference,
            submitted_at=event.created_at,
            trail=events_before(journey, event),
        )
    here = cache.renderer_digest()
    same_key = packet_cache_key(data) == packet.cache_key
    if packet.renderer_digest:
        renderer_unchanged = packet.renderer_digest == here
        data_unchanged = packet_cache_key(data, renderer=packet.renderer_digest) == packet.cache_key
    else:
        renderer_unchanged = data_unchanged = True if same_key else None
    recorded = stored_bytes(packet)
    facts = {
        "data_unchanged": data_unchanged,
        "renderer_unchanged": renderer_unchanged,
        "recorded_renderer": packet.renderer_digest,
        "renderer": here,
    }
    if (same_key or data_unchanged is False) and not render:
        return Rebuild(recorded, recorded, rendered=False, identical=True, **facts)
    pdf = render_packet(data)
    return Rebuild(pdf, recorded, rendered=True, identical=pdf == recorded, **facts)


def stored_bytes(packet: Packet) -> bytes:
    from workflow.retention import ensure_file_kept

    with get_storage().open(ensure_file_kept(packet)) as fh:
        return fh.read()


def filename(packet: Packet) -> str:
    return f"{packet.reference}.pdf"


def mail_packet(packet: Packet, to_addr: str, subject: str, body: str) -> None:
    """Attach the packet, or link to it when it is over the attachment limit."""
    from workflow.retention import ensure_file_kept

    ensure_file_kept(packet)
    if packet.size <= current_app.config["MAIL_ATTACHMENT_LIMIT_BYTES"]:
        queue_mail(
            to_addr,
            subject,
            body,
            journey_id=packet.journey_id,
            attachment_file_id=packet.file_id,
            attachment_name=filename(packet),
        )
        return
    link = download_link(packet)
    # The caller composes the mail under ``written_for(recipient)``: this reads their language.
    body += "\n" + _(
        "The packet (%(size)s MB) is too large to attach. Download it within 7 days:\n"
        "%(link)s\nSHA-256: %(sha256)s\n",
        size=format(packet.size / (1024 * 1024), ".1f"),
        link=link,
        sha256=packet.sha256,
    )
    queue_mail(to_addr, subject, body, journey_id=packet.journey_id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="packet-download")


def download_link(packet: Packet) -> str:
    token = _serializer().dumps({"packet": packet.id, "sha256": packet.sha256})
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/packets/link/{token}"


def packet_from_link(token: str) -> Packet:
    try:
        claims = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        raise NotFound(_l("This download link has expired. Ask for a new copy.")) from None
    except BadSignature:
        raise NotFound(_l("No such packet.")) from None
    packet = db.session.get(Packet, claims.get("packet"))
    if packet is None or packet.sha256 != claims.get("sha256"):
        raise NotFound(_l("No such packet."))
    return packet


def packets_of(journey: Journey) -> list[Packet]:
    """The journey's packets, newest first."""
    loaded = journey.preloaded("packets")
    if loaded is not None:
        return list(reversed(loaded))
    return list(
        db.session.scalars(
            select(Packet).where(Packet.journey_id == journey.id).order_by(Packet.id.desc())
        )
    )


def get_packet_for(user: User, journey: Journey, packet_id: int) -> Packet:
    packet = db.session.get(Packet, packet_id)
    if packet is None or packet.journey_id != journey.id:
        raise NotFound(_l("No such packet."))
    authorize(user, Action.download_packet, packet)
    return packet


def send_copy(packet: Packet, user: User) -> None:
    """Mail the packet to the user who asks for it (never to an address they type)."""
    authorize(user, Action.mail_packet_copy, packet)
    with written_for(user):
        mail_packet(
            packet,
            user.email,
            _("[TOP onboarding] Your copy of packet %(reference)s", reference=packet.reference),
            _(
                "Here is the packet %(reference)s you asked for.\nSHA-256: %(sha256)s\n",
                reference=packet.reference,
                sha256=packet.sha256,
            ),
        )
