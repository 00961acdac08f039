"""The conversation on a stage: messages between the applicant and Tmall Global."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.models.accounts import User
from workflow.models.base import UTCDateTime, utcnow
from workflow.models.journeys import Event, Journey

#: The longest message the desk keeps: a page of text, not a document (those are uploads).
MAX_MESSAGE = 5000


class StageMessage(db.Model):
    """One message on one stage of a journey, written by the applicant's side or by staff.

    A message is neither applicant data nor a review decision: both sides write on the same
    thread, and nothing about it is internal. Each is also a chained ``Event`` under its author
    (``DecisionKind.message``), whose payload names this row, so ``flask audit verify``
    notices a message changed after it was posted.
    """

    __tablename__ = "stage_messages"
    __table_args__ = (
        # One posting per form: a second click, or a retried request, finds the first row.
        UniqueConstraint("author_id", "nonce", name="uq_stage_messages_author_nonce"),
        Index("ix_stage_messages_journey_stage", "journey_id", "stage", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"))
    #: The stage's number in ``workflow.stages.STAGES`` ("1" to "5").
    stage: Mapped[str] = mapped_column(String(2))
    #: The journey's state when the message was posted (a stage spans several).
    state: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Whether the author wrote as Tmall Global staff (a reviewer or an admin).
    is_from_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    #: The token of the form it was posted from.
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The chained event that records it; set in the same transaction, once the event exists.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), unique=True)

    journey: Mapped[Journey] = relationship()
    author: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def body_sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()
