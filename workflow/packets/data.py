"""The plain data a packet is rendered from.

The packet engine never sees ORM objects. The caller copies what a packet must show into these
dataclasses, so a template cannot reach into the database and the cache key covers every input.
Every datetime is timezone-aware; the templates show UTC (and GMT+8 on the cover).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

#: Packet kinds the desk produces. ``PacketData.kind`` is one of these; ``kind_title`` is what a
#: reader sees ("Enablement request (ISV)").
PACKET_KINDS = (
    "enablement_seller",
    "enablement_isv",
    "api_access",
    "mrd_prd",
    "cloud_plan",
    "cloud_verification",
    "exemption",
    "authorization",
    "distribution",
)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")


@dataclass(frozen=True)
class Table:
    """A small table inside a section, e.g. the APIs an APP asks for and why."""

    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    """One block of submitted data: label/value rows, free paragraphs and an optional table.

    Values keep their line breaks, so a multi-line reason reads as the applicant wrote it.
    """

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass(frozen=True)
class DocumentEntry:
    """One stored document and how to read its bytes.

    ``size`` and ``sha256`` are the values recorded when the file was stored; rendering checks the
    bytes ``open()`` returns against them, so a packet never vouches for a file it did not embed.
    """

    kind_label: str  #: "b. Proof of bank account"
    filename: str  #: the name the applicant uploaded
    size: int
    sha256: str  #: lowercase hex
    version: int
    review_status: str  #: "pending", "accepted", "changes requested", ...
    content_type: str
    open: Callable[[], BinaryIO] = field(compare=False, repr=False)
    #: The stored object behind ``open``, kept in a submission's snapshot so the worker opens
    #: the same bytes; not an input of the render (``compare=False``).
    file_id: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TrailEvent:
    """One row of the journey's event log, with the applicant-visible comment only.

    A decision (a document, an API, a list in force, evidence...) leaves the state where it
    was; ``event`` then says what was decided.
    """

    at: datetime
    actor: str
    event: str
    from_state: str
    to_state: str
    comment: str | None = None
    hash: str | None = None  #: the event's chain hash, shown so a reader can match the log
    is_decision: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "TrailEvent.at")


@dataclass(frozen=True)
class SellerDiff:
    """What a later authorization request changes against the list in force."""

    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PacketData:
    """Everything one packet shows. Build it from the models; render it with ``render_packet``."""

    reference: str  #: e.g. "PKT-2024-000123"; printed on every page
    kind: str  #: one of PACKET_KINDS
    kind_title: str
    account_name: str
    account_type: str  #: the developer type, as ``AccountKind.label`` reads
    taobao_account_id: str
    app_name: str | None = None
    app_key: str | None = None
    submitted_at: datetime
    reviewer_mailbox: str
    sections: list[Section] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    seller_ids: list[int] | None = None
    seller_list_title: str = "Seller IDs"
    seller_diff: SellerDiff | None = None
    events: list[TrailEvent] = field(default_factory=list)
    chain_hash: str = ""  #: hash of the last event in the trail
    exemption_note: str | None = None  #: shown on the cover of every packet after an exemption

    def __post_init__(self) -> None:
        _require_aware(self.submitted_at, "PacketData.submitted_at")
        if self.kind not in PACKET_KINDS:
            raise ValueError(f"unknown packet kind {self.kind!r}")
