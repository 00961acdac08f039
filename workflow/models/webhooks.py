"""Webhook endpoints that want to hear about journeys, and each delivery owed to one.

A delivery row is written in the transaction of the change it reports (the outbox pattern);
a ``webhook`` job sends it. Its ``delivery_id`` stays the same on every attempt and
redelivery, so a receiver can drop a duplicate.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow


class WebhookEndpoint(db.Model):
    """A URL that receives signed deliveries of the event types it subscribed to.

    Its owner is a developer account (the account's own systems hear about its journeys), or
    nobody: an endpoint of the desk itself, registered by an admin for Tmall Global's systems,
    which hears about every journey. The signing secret is stored nowhere: it is derived from
    the desk's secret key and ``public_id`` (``workflow.webhooks.signing``), so a database
    reader cannot sign a delivery, and ``key_id`` names the desk key it came from.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for the desk's own endpoints (Tmall Global's systems).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    #: The event types subscribed to (``workflow.webhooks.events.EVENT_TYPES``), sorted.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The secret's public part; shown on the pages to tell endpoints apart.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    key_id: Mapped[str] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Failed attempts in a row; a delivered one sets it back to 0.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    #: Set when the desk switched the endpoint off after too many failures in a row.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="WebhookDelivery.id.desc()",
    )

    @property
    def is_desk_endpoint(self) -> bool:
        return self.account_id is None


class DeliveryStatus(enum.StrEnum):
    #: Waiting for its next attempt (``next_attempt_at``).
    pending = "pending"
    #: The receiver answered 2xx.
    delivered = "delivered"
    #: Out of attempts, or its endpoint was switched off; it can be redelivered.
    failed = "failed"


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A UUID, sent with every attempt of this delivery.
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
    event_type: Mapped[str] = mapped_column(String(64))
    #: The exact body sent (canonical JSON), so every attempt signs the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    journey_id: Mapped[int | None] = mapped_column(ForeignKey("journeys.id"), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16), default=DeliveryStatus.pending
    )
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_http_status: Mapped[int | None] = mapped_column()
    #: The last failure in English: the desk's own reason, a receiver's answer, a network error.
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: The desk's own reason as its key in ``webhooks.delivery.ERRORS`` and the parameters it
    #: is written with, shown in the reader's language; None for a receiver's answer, a network
    #: error, or a row from before the codes.
    last_error_code: Mapped[str | None] = mapped_column(String(32))
    last_error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status"),)

    def body(self) -> bytes:
        return self.payload.encode("utf-8")

    def data(self) -> dict[str, Any]:
        import json

        return json.loads(self.payload)
