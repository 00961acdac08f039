"""Build, store and mail the packet of a submission, in the submission's transaction."""

from __future__ import annotations

import io

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from workflow import files
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.mail.outbox import queue_mail
from workflow.models import Event, Journey, Packet, User
from workflow.packets.builder import build_packet_data, packet_kind
from workflow.packets.cache import packet_cache_key
from workflow.packets.render import render_packet

#: Mailed download links stay valid this long.
LINK_MAX_AGE = 7 * 24 * 3600


def build_packet(journey: Journey, event: Event, kind: str) -> Packet:
    """Render and store the packet; identical inputs reuse the stored bytes."""

    data = build_packet_data(journey, event, kind)
    key = packet_cache_key(data)
    cached = db.session.scalars(select(Packet).where(Packet.cache_key == key).limit(1)).first()
    if cached is not None and cached.event_id == event.id:
        return cached
    pdf = render_packet(data)
    with files.stored(io.BytesIO(pdf), content_type="application/pdf", limit_uploads=False) as obj:
        packet = Packet(
            journey_id=journey.id,
            event_id=event.id,
            kind=kind,
            reference=data.reference,
            file_id=obj.file_id,
            sha256=obj.sha256,
            size=obj.size,
            cache_key=key,
        )
        db.session.add(packet)
        db.session.flush()
    return packet


def packet_for_submission(journey: Journey, event: Event) -> Packet | None:
    kind = packet_kind(journey, event.to_state)
    return build_packet(journey, event, kind) if kind else None


def filename(packet: Packet) -> str:
    return f"{packet.reference}.pdf"


def mail_packet(packet: Packet, to_addr: str, subject: str, body: str) -> None:
    """Attach the packet, or link to it when it is over the attachment limit."""
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
    size_mb = packet.size / (1024 * 1024)
    body += (
        f"\nThe packet ({size_mb:.1f} MB) is too large to attach. Download it within 7 days:\n"
        f"{link}\nSHA-256: {packet.sha256}\n"
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
        raise NotFound("This download link has expired. Ask for a new copy.") from None
    except BadSignature:
        raise NotFound("No such packet.") from None
    packet = db.session.get(Packet, claims.get("packet"))
    if packet is None or packet.sha256 != claims.get("sha256"):
        raise NotFound("No such packet.")
    return packet


def packets_of(journey: Journey) -> list[Packet]:
    return list(
        db.session.scalars(
            select(Packet).where(Packet.journey_id == journey.id).order_by(Packet.id.desc())
        )
    )


def get_packet_for(user: User, journey: Journey, packet_id: int) -> Packet:
    packet = db.session.get(Packet, packet_id)
    if packet is None or packet.journey_id != journey.id:
        raise NotFound("No such packet.")
    return packet


def send_copy(packet: Packet, user: User) -> None:
    mail_packet(
        packet,
        user.email,
        f"[TOP onboarding] Your copy of packet {packet.reference}",
        f"Here is the packet {packet.reference} you asked for.\nSHA-256: {packet.sha256}\n",
    )
