"""Stages 2–5: the APP, its API requests, evidence, stage forms and seller lists."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from workflow.extensions import db
from workflow.models.accounts import User
from workflow.models.base import UTCDateTime, utcnow
from workflow.models.enablement import ReviewStatus
from workflow.models.journeys import Journey


class Audience(enum.StrEnum):
    #: The seller's own shop.
    own_shop = "own_shop"
    #: Other sellers, as an ISV.
    other_sellers = "other_sellers"


class App(db.Model):
    """A TOP APP as registered in the TOP console; one journey each."""

    __tablename__ = "apps"
    __table_args__ = (
        # The guide's §3.1 a: the APP key identifies one APP, whichever account registers it.
        Index(
            "uq_apps_held_app_key",
            "app_key",
            unique=True,
            sqlite_where=text("key_held"),
            postgresql_where=text("key_held"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), unique=True)
    app_key: Mapped[str] = mapped_column(String(64))
    #: False once the APP's journey was rejected and another journey registered the same key.
    key_held: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: A new APP submits MRD and PRD before its cloud plan; an existing one moving over does not.
    is_new: Mapped[bool] = mapped_column(default=True)
    audience: Mapped[Audience] = mapped_column(
        Enum(Audience, native_enum=False, length=20), default=Audience.own_shop
    )
    #: The applicant confirmed the APP is configured in the TOP console (§3.4, L11).
    console_configured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set by a reviewer (§3.4 2–3): the applicant must confirm these before distribution.
    is_security_config_required: Mapped[bool] = mapped_column(default=False)
    is_cloud_config_required: Mapped[bool] = mapped_column(default=False)
    #: What exactly Tmall Global requires of each configuration, in the reviewer's words.
    security_config_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    cloud_config_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    security_config_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cloud_config_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the applicant says they configured, with the confirmation.
    security_config_confirmation: Mapped[str] = mapped_column(Text, default="", server_default="")
    cloud_config_confirmation: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Set by a reviewer: this APP may not go on without sandbox verification (§3.2 only
    #: recommends it). The reason is the reviewer's, shown to the applicant.
    is_sandbox_required: Mapped[bool] = mapped_column(default=False)
    sandbox_required_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    journey: Mapped[Journey] = relationship(backref=backref("app", uselist=False))
    api_requests: Mapped[list[ApiRequest]] = relationship(
        back_populates="app", order_by="ApiRequest.id", cascade="all, delete-orphan"
    )


class ApiRequest(db.Model):
    """Access asked for one TOP API, with the applicant's reason, and the reviewer's decision.

    For a customer-information API (``workflow.apps.catalogue``) the request is the authorization
    request of §3.5 and the decision is its outcome.
    """

    __tablename__ = "api_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    method: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, native_enum=False, length=16), default=ReviewStatus.pending
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A reviewer marked it a customer-information API although the catalogue setting
    #: (``CUSTOMER_INFO_APIS``) does not list it.
    is_customer_info_marked: Mapped[bool] = mapped_column(default=False)

    app: Mapped[App] = relationship(back_populates="api_requests")
    decided_by: Mapped[User | None] = relationship()


class EvidenceKind(enum.StrEnum):
    sandbox = "sandbox"
    cloud = "cloud"


class Evidence(db.Model):
    """A connectivity-checker report (or an uploaded one) proving a stage; never the secret."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(Enum(EvidenceKind, native_enum=False, length=16))
    #: ``checker`` for a run from the desk, ``upload`` for a report file.
    source: Mapped[str] = mapped_column(String(16))
    #: What the desk found when it accepted the report (signature verified, every check ok).
    #: Pages and requirements recompute the verdict from ``report``; this is not trusted.
    is_passing: Mapped[bool] = mapped_column()
    #: The signed envelope (``top.evidence``); rows from before signing hold a bare report.
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The signature's key ID: ``desk-…`` for the desk's key, ``token:…`` for a token.
    key_id: Mapped[str | None] = mapped_column(String(80))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_tokens.id"))
    file_id: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when the applicant takes the report back: it stays on record, but no longer counts.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EvidenceToken(db.Model):
    """A one-time token for a checker run on the applicant's host.

    The token itself is stored nowhere: it is derived from the desk's secret key and this
    row's binding (see ``workflow.apps.provenance``), so a database reader cannot sign with it.
    """

    __tablename__ = "evidence_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The token's public part, printed inside the token and the report it signs.
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(Enum(EvidenceKind, native_enum=False, length=16))
    app_key: Mapped[str] = mapped_column(String(64))
    #: The desk key the token was derived from (a retired key keeps old tokens checkable).
    key_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set in the transaction that accepts the report it signed; a token works once.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FormKind(enum.StrEnum):
    mrd = "mrd"
    prd = "prd"
    meeting = "meeting"
    cloud_plan = "cloud_plan"
    #: The applicant's order on the Taobao cloud homepage (L12), after the plan's audit.
    cloud_order = "cloud_order"
    #: What Tmall Global configured, recorded by a reviewer before "environment ready".
    cloud_environment = "cloud_environment"
    deployment_confirmation = "deployment_confirmation"
    exemption = "exemption"


class StageForm(db.Model):
    """A structured stage form (or an uploaded document in its place); the newest counts."""

    __tablename__ = "stage_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[FormKind] = mapped_column(Enum(FormKind, native_enum=False, length=32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    file_id: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SellerListKind(enum.StrEnum):
    authorization = "authorization"
    distribution = "distribution"


class SellerList(db.Model):
    """A list of seller IDs, kept canonical in storage; the approved one is in force."""

    __tablename__ = "seller_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[SellerListKind] = mapped_column(Enum(SellerListKind, native_enum=False, length=16))
    #: Storage key of the canonical list (sorted, one ID a line).
    file_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger)
    added_count: Mapped[int] = mapped_column(BigInteger, default=0)
    removed_count: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, native_enum=False, length=16), default=ReviewStatus.pending
    )
    #: Set when approved: the list in force is the newest approved authorization list.
    is_in_force: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class InForceSeller(db.Model):
    """One seller an APP's authorization list in force serves: the seller-ID search's index.

    Only the list in force is indexed, never proposals or replaced lists; the rows of a journey
    are replaced where a list comes into force (``workflow.distribution.operations``).
    """

    __tablename__ = "in_force_sellers"

    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), primary_key=True)
    #: The seller ID as the canonical list spells it (digits, no leading zeros); a seller ID
    #: may have 20 digits, more than a 64-bit integer holds.
    seller_id: Mapped[str] = mapped_column(String(24), primary_key=True)

    __table_args__ = (Index("ix_in_force_sellers_seller", "seller_id"),)


class Packet(db.Model):
    """A generated PDF packet, tied to the event of the submission it documents."""

    __tablename__ = "packets"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    #: ``None`` once the file was deleted under retention (``DeletedFile`` says when).
    file_id: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    cache_key: Mapped[str] = mapped_column(String(64), index=True)
    #: ``renderer_digest`` of the machine that rendered it; with the cache key it tells whether
    #: a rebuild differs because the data moved on or because the renderer did.
    renderer_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PacketSnapshot(db.Model):
    """A submission's packet inputs, frozen when it was made, for the worker to render from.

    ``inputs`` is the canonical JSON of the ``PacketData`` (``workflow.packets.snapshot``) plus
    the stored file of each embedded document; the submission's event records its SHA-256 and
    the renderer digest, so later decisions cannot leak into the packet and a re-render can be
    checked against the chain. ``packet_id`` is set once the worker stored the PDF.
    """

    __tablename__ = "packet_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    inputs: Mapped[str] = mapped_column(Text)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    #: ``renderer_digest`` of the process that froze the inputs.
    renderer_digest: Mapped[str] = mapped_column(String(64))
    packet_id: Mapped[int | None] = mapped_column(ForeignKey("packets.id"))
    #: The chained event that records the rendered PDF's SHA-256.
    rendered_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    #: When ``inputs`` was emptied, with its packet's file, under retention.
    emptied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_ready(self) -> bool:
        return self.packet_id is not None
