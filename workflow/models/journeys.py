"""A journey through the onboarding stages, and its append-only event log."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import ForeignKey, Index, String, Text, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.i18n import _l
from workflow.models.accounts import Account, User
from workflow.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from workflow.models.apps import Evidence, EvidenceToken, Packet, SellerList, StageForm
    from workflow.models.conversation import StageMessage
    from workflow.models.enablement import DocumentVersion

#: Where a request keeps the mark of its read-only page (``Journey.mark_for_page``).
_PAGE_KEY = "onboarding.read_only_page"

#: The states of stage 1, in which a journey without an APP is the account's enablement.
_ENABLEMENT_STATES = (
    "enablement_draft",
    "enablement_submitted",
    "enablement_changes_requested",
    "enabled",
)


class Journey(db.Model):
    """One developer account's path for one APP; its state is the chart's single column."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: Written only by ``workflow.operations.fire`` through the chart.
    state: Mapped[str] = mapped_column(String(40), index=True)
    #: Optimistic lock: two reviewers acting at once cannot both win. Every recorded change
    #: moves it on: a transition through the chart, and a decision through
    #: ``workflow.operations.bump_version``.
    version_id: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the journey entered its current state; the queue's waiting time counts from here.
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set the first time the APP is released; later authorization changes return here.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The reviewer who claimed the item in the queue.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The rejected journey this one continues (``workflow.journeys.continuation``); a
    #: rejected journey is continued at most once.
    follows_journey_id: Mapped[int | None] = mapped_column(ForeignKey("journeys.id"), unique=True)

    account: Mapped[Account] = relationship()
    assignee: Mapped[User | None] = relationship()
    follows: Mapped[Journey | None] = relationship(
        remote_side=[id], foreign_keys=[follows_journey_id], back_populates="followed_by"
    )
    followed_by: Mapped[Journey | None] = relationship(
        back_populates="follows", foreign_keys=[follows_journey_id], uselist=False
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="journey", order_by="Event.id", viewonly=True
    )
    #: The rows pages read, loaded for many journeys at once by the pages that list or show
    #: them (``preloaded``); the lookups query directly when a page did not load them.
    stage_forms: Mapped[list[StageForm]] = relationship(order_by="StageForm.id", viewonly=True)
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id", viewonly=True)
    seller_lists: Mapped[list[SellerList]] = relationship(order_by="SellerList.id", viewonly=True)
    #: Read only by the journey page (``workflow.journeys.page_rows``) and the dashboard.
    document_versions: Mapped[list[DocumentVersion]] = relationship(
        order_by="(DocumentVersion.kind, DocumentVersion.version)", viewonly=True
    )
    evidence_tokens: Mapped[list[EvidenceToken]] = relationship(
        order_by="EvidenceToken.id", viewonly=True
    )
    packets: Mapped[list[Packet]] = relationship(order_by="Packet.id", viewonly=True)
    stage_messages: Mapped[list[StageMessage]] = relationship(
        order_by="(StageMessage.stage, StageMessage.id)", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (Index("ix_journeys_state_changed", "state", "state_changed_at"),)

    @property
    def title(self) -> str:
        """What the journey is about: its APP once registered, else what it started as (in
        the reader's language)."""
        app = getattr(self, "app", None)
        if app is not None:
            return f"{app.name} ({app.app_key})"
        enabled_at = self.account.enabled_at if self.account is not None else None
        if enabled_at is not None and self.created_at is not None and self.created_at >= enabled_at:
            return _l("A new APP (not registered yet)")  # opened by an enabled account
        if self.state not in _ENABLEMENT_STATES + ("rejected", "withdrawn"):
            return _l("Your first APP (not registered yet)")
        return _l("Developer account enablement")

    @property
    def title_is_app(self) -> bool:
        return getattr(self, "app", None) is not None

    def preloaded(self, name: str) -> list | None:
        """The collection ``name`` if the read-only page of this request loaded it, else
        ``None``, and the caller queries.

        Only read-only pages load these collections up front (``mark_for_page``). Anywhere
        else (an operation, a later request in the same session, a job) the lookups query, so
        they see every row, the ones just added too.
        """
        if self._page_values() is None or name in inspect(self).unloaded:
            return None
        return getattr(self, name)

    @property
    def is_on_page(self) -> bool:
        """Loaded by this request's read-only page, which keeps its values (``page_value``)."""
        return self._page_values() is not None

    def page_value(self, key: str, compute):
        """``compute()``, once per read-only page: a page that preloaded this journey keeps
        what its panels ask more than once."""
        values = self._page_values()
        if values is None:
            return compute()
        if key not in values:
            values[key] = compute()
        return values[key]

    def mark_for_page(self) -> None:
        """This request's page loaded the journey's rows and only reads them."""
        page = request.environ.setdefault(_PAGE_KEY, object())
        self.__dict__["_page_mark"] = (page, {})

    def _page_values(self) -> dict | None:
        mark = self.__dict__.get("_page_mark")
        if mark is None or not has_request_context():
            return None
        page, values = mark
        return values if request.environ.get(_PAGE_KEY) is page else None

    def has_event(self, name: str) -> bool:
        """Whether the chain records an event ``name`` on this journey."""
        events = self.preloaded("events")
        if events is not None:
            return any(event.event == name for event in events)
        stmt = select(Event.id).where(Event.journey_id == self.id, Event.event == name).limit(1)
        return db.session.scalar(stmt) is not None


#: The search's one sort order, newest change first, with and without a state filter
#: (``workflow.review.search``).
Index("ix_journeys_recent", Journey.state_changed_at.desc(), Journey.id.desc())
Index("ix_journeys_state_recent", Journey.state, Journey.state_changed_at.desc(), Journey.id.desc())


class DecisionKind(enum.StrEnum):
    """Decisions that do not move the chart; each is an ``Event`` whose ``event`` is the value.

    They are recorded by ``workflow.decisions.decide`` with a canonical JSON payload that names
    the row decided and what it now holds, so ``flask audit verify`` can replay them.
    """

    #: A reviewer accepts or rejects one document version.
    document = "document.decided"
    #: A reviewer grants or refuses one API.
    api = "api.decided"
    #: The applicant changed a decided API request, so it waits for a new decision.
    api_reopened = "api.reopened"
    #: A reviewer marks a requested API as customer-information (§3.5), or takes the mark off.
    api_customer_info = "api.customer_info"
    #: An approved seller list replaces the one in force.
    list_in_force = "seller_list.in_force"
    #: A reviewer claims the queue item, assigns it, or lets it go.
    assigned = "journey.assigned"
    #: An admin sets which configurations the APP must confirm.
    config_required = "config.required"
    #: The applicant confirms a configuration is in place.
    config_confirmed = "config.confirmed"
    #: The applicant changes whom the APP serves: its own shop or other sellers.
    audience = "app.audience"
    #: A checker report is kept as evidence, with its verdict.
    evidence_attached = "evidence.attached"
    #: The applicant takes a report back; it stays on record but no longer counts.
    evidence_withdrawn = "evidence.withdrawn"
    #: A new journey starts from a rejected one, with what it carries over (on the new one).
    continues = "journey.continues"
    #: The rejected journey is continued in a new one (on the rejected one).
    continued = "journey.continued"
    #: A message on a stage's conversation (``workflow.conversation``). It decides nothing,
    #: but it is kept in the chain the same way, under its author.
    message = "conversation.message"
    #: A reviewer requires sandbox verification for the APP, with a reason, or lifts it.
    sandbox_required = "sandbox.required"
    #: Files past the retention period the admin set were deleted; their hashes stay.
    files_deleted = "files.deleted"
    #: The worker rendered a submission's packet from its snapshot; the event records the
    #: PDF's SHA-256 (the submission's own event records the digest of its inputs).
    packet_rendered = "packet.rendered"


class Event(db.Model):
    """An append-only record of one state change or decision, hash-chained over the whole log."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    #: Shown to the applicant.
    comment: Mapped[str] = mapped_column(Text, default="")
    #: Internal note for reviewers; never shown to applicants or printed in packets.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: SHA-256 of the PDF packet this submission produced; covered by ``hash``, so the chain
    #: itself vouches for the packet's bytes.
    packet_sha256: Mapped[str | None] = mapped_column(String(64))
    #: A decision's canonical JSON (sorted keys, no spaces); NULL for a transition.
    payload: Mapped[str | None] = mapped_column(Text)
    #: Which fields ``hash`` covers (``workflow.audit.HASH_FIELDS``); rows keep their version.
    hash_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: How the actor reached the desk: "" for its pages (and the desk's own work), "api" for
    #: a request to ``/api/v1`` with a personal token. Covered by the hash from version 3.
    via: Mapped[str] = mapped_column(String(8), default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    journey: Mapped[Journey] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def is_decision(self) -> bool:
        return self.event in DECISION_EVENTS

    @property
    def data(self) -> dict[str, Any]:
        """The decision's payload as a dict (empty for a transition)."""
        return json.loads(self.payload) if self.payload else {}


DECISION_EVENTS = frozenset(kind.value for kind in DecisionKind)


def canonical_json(payload: dict[str, Any]) -> str:
    """The one spelling of a payload: what the event stores and its hash covers."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class ChainHead(db.Model):
    """The single row that serialises appends to the event chain across instances."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int | None] = mapped_column()
    last_hash: Mapped[str] = mapped_column(String(64))
