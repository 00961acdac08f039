"""What each person wants to be mailed, and which reminders already went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow


class NotificationPreference(db.Model):
    """One user's choices; a user without a row gets every notice (the defaults)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: Applicants: a receipt, with the packet, for each of their submissions.
    receipt: Mapped[bool] = mapped_column(default=True)
    #: Applicants: a reminder when a draft or a "changes requested" journey sits idle.
    reminder: Mapped[bool] = mapped_column(default=True)
    #: Staff: a mail when someone else assigns an item to them.
    assignment: Mapped[bool] = mapped_column(default=True)
    #: Staff: the daily digest of their open items.
    digest: Mapped[bool] = mapped_column(default=True)
    #: Staff: overdue items (the assignee first, then admins).
    escalation: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SentReminder(db.Model):
    """A periodic notice that went out: at most one row, so one mail round, per ``key``.

    The key names the notice, its item and its period (``escalation:12:<since>:2``,
    ``digest:7:2026-12-01``), so running the reminders again in the same period finds the row
    and sends nothing, and a run racing it fails on the unique key instead of mailing twice.
    """

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: ``digest``, ``escalation`` or ``reminder``.
    kind: Mapped[str] = mapped_column(String(32))
    journey_id: Mapped[int | None] = mapped_column(ForeignKey("journeys.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: How many messages the round queued (0 when every recipient had turned the notice off).
    mails: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
