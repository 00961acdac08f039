"""Post and read the messages of a stage's conversation.

A journey has one conversation per stage (``workflow.stages.STAGES``): the architecture review
and technical support of the cloud path (guide §3.3), the business meeting and provisioning
all happen on stage 4's. Messages are posted to the journey's current stage only; an earlier
stage's conversation stays readable, and an ended journey's is closed.

``post_message`` writes the row, records it in the chain under its author (a
``conversation.message`` event whose comment is the text, so the trail and the packets carry
it) and tells the other side by mail through the outbox. It does not move the journey's
version: a message changes nothing a reviewer's decision rests on, so it never turns a
reviewer's open form stale. Like every operation it flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow import audit
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import DecisionKind, Journey, StageMessage, User
from workflow.models.journeys import canonical_json
from workflow.policy import Action, authorize
from workflow.replay import recorded_row
from workflow.signals import message_posted
from workflow.stages import STAGES, Stage, stage_of


class ConversationClosed(DomainError):
    """The journey has ended: nobody writes on its conversations any more."""


class StageMovedOn(DomainError):
    """The form was opened on a stage the journey has left since."""


class AlreadyPosted(DomainError):
    """The same form was sent twice; the first sending posted the message."""


def current_stage(journey: Journey) -> Stage | None:
    """The stage whose conversation is open, or ``None`` once the journey has ended."""
    return stage_of(journey.state)


def post_message(
    journey: Journey, author: User, body: str, *, nonce: str, stage: str | None = None
) -> StageMessage:
    """Post ``body`` on the current stage's conversation, as ``author``.

    ``stage`` is the stage the form was shown for: when the journey has moved on since, nothing
    is posted and :class:`StageMovedOn` says where it is now. ``nonce`` is the form's own
    token; a second posting with it raises :class:`AlreadyPosted` and posts nothing.
    """
    authorize(author, Action.post_message, journey)
    open_stage = current_stage(journey)
    if open_stage is None:
        raise ConversationClosed(_l("This journey has ended; its conversations are closed."))
    if stage is not None and stage != open_stage.number:
        raise StageMovedOn(
            _l(
                "The journey moved on to stage %(number)s, %(title)s, since this page was "
                "opened. Nothing was posted; your message is kept below, to post on the current "
                "stage.",
                number=open_stage.number,
                title=open_stage.label,
            )
        )
    body = body.strip()
    if not body:
        raise DomainError(_l("Write a message first."))
    if _posted_with(author, nonce) is not None:
        raise AlreadyPosted(
            _l("That message was already posted; the second click changed nothing.")
        )
    message = StageMessage(
        journey_id=journey.id,
        stage=open_stage.number,
        state=journey.state,
        author_id=author.id,
        is_from_staff=author.is_staff,
        body=body,
        nonce=nonce,
    )
    _insert_once(message)
    message.event = _record(journey, author, message, open_stage)
    db.session.flush()
    message_posted.send(message)
    return message


def _posted_with(author: User, nonce: str) -> StageMessage | None:
    return db.session.scalar(
        select(StageMessage).where(StageMessage.author_id == author.id, StageMessage.nonce == nonce)
    )


def _insert_once(message: StageMessage) -> None:
    """Insert the row before the event: on SQLite the insert takes the write lock the chain
    head needs, and on PostgreSQL a second posting of the same form waits here for the first
    and then finds its row, before anything is appended to the chain."""
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        raise AlreadyPosted(
            _l("That message was already posted; the second click changed nothing.")
        ) from None


def _record(journey: Journey, author: User, message: StageMessage, stage: Stage):
    payload = {
        "rows": [recorded_row(message)],
        "about": {
            "stage": stage.number,
            "stage_title": stage.title_id,
            "from_staff": author.is_staff,
        },
    }
    return audit.append_event(
        journey,
        author,
        DecisionKind.message.value,
        journey.state,
        journey.state,
        comment=message.body,
        at=message.created_at,
        payload=canonical_json(payload),
    )


@dataclass(frozen=True)
class Conversation:
    """One stage's messages, oldest first."""

    stage: Stage
    messages: list[StageMessage]
    #: Whether it is the current stage's, which takes new messages.
    is_open: bool


def conversations_of(user: User, journey: Journey) -> list[Conversation]:
    """The journey's conversations that ``user`` may read: every stage reached so far, the
    current one last (empty when nobody wrote yet); stages without messages are left out
    unless current."""
    authorize(user, Action.read_conversation, journey)
    by_stage: dict[str, list[StageMessage]] = {}
    for message in _messages(journey):
        by_stage.setdefault(message.stage, []).append(message)
    open_stage = current_stage(journey)
    shown = []
    for stage in STAGES:
        is_open = open_stage is not None and stage.number == open_stage.number
        if is_open or stage.number in by_stage:
            shown.append(Conversation(stage, by_stage.get(stage.number, []), is_open))
    return shown


def _messages(journey: Journey) -> Iterable[StageMessage]:
    loaded = journey.preloaded("stage_messages")
    if loaded is not None:
        return loaded
    return db.session.scalars(
        select(StageMessage)
        .where(StageMessage.journey_id == journey.id)
        .order_by(StageMessage.stage, StageMessage.id)
    )
