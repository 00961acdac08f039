"""The hash-chained event log: append under a lock, verify from the first row."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from workflow.extensions import db
from workflow.models import ChainHead, Event, Journey, User
from workflow.models.base import utcnow

GENESIS_HASH = "0" * 64
CHAIN_HEAD_ID = 1


def _fields_v1(row: Event) -> dict:
    return {
        "journey_id": row.journey_id,
        "actor_id": row.actor_id,
        "event": row.event,
        "from": row.from_state,
        "to": row.to_state,
        "comment": row.comment,
        "note": row.note,
        "at": row.created_at.isoformat(timespec="microseconds"),
        "packet": row.packet_sha256,
    }


def _fields_v2(row: Event) -> dict:
    # The version itself is hashed, so a row cannot be re-labelled as version 1 to drop its
    # payload from the hash.
    return {**_fields_v1(row), "hash_version": 2, "payload": row.payload}


def _fields_v3(row: Event) -> dict:
    # How the actor came (the pages, or the API with a token) is part of what they did.
    return {**_fields_v2(row), "hash_version": 3, "via": row.via or ""}


#: What an event's hash covers, by ``Event.hash_version``. A version, once released, never
#: changes: rows written under it must keep verifying. New fields (a packet's input digest)
#: join as a new version that extends the newest one.
HASH_FIELDS: dict[int, Callable[[Event], dict]] = {1: _fields_v1, 2: _fields_v2, 3: _fields_v3}
#: The version new events are written with.
HASH_VERSION = 3

#: Where a request to the API keeps the id of the token's user (``flask.g``).
CHANNEL_KEY = "trail_via_api_user"


def current_channel(actor: User | None) -> str:
    """ "api" for what the token's user does while the desk serves their request to
    ``/api/v1``; "" otherwise: the pages, the CLI, jobs, and the desk's own work that a
    request sets off (a packet rendered under the desk's name)."""
    from flask import g, has_app_context

    if actor is None or not has_app_context():
        return ""
    return "api" if g.get(CHANNEL_KEY) == actor.id else ""


def event_hash(prev_hash: str, row: Event) -> str:
    """SHA-256 over the previous hash and the fields this row's hash version covers."""
    fields = HASH_FIELDS.get(row.hash_version or 1)
    if fields is None:
        raise UnknownHashVersion(row.hash_version)
    payload = json.dumps(fields(row), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


class UnknownHashVersion(ValueError):
    """A row claims a hash version this code does not know."""


def ensure_chain_head() -> None:
    if db.session.get(ChainHead, CHAIN_HEAD_ID) is None:
        db.session.add(ChainHead(id=CHAIN_HEAD_ID, last_hash=GENESIS_HASH))
        db.session.flush()


def _locked_head() -> ChainHead:
    # FOR UPDATE serialises appenders on PostgreSQL; SQLite already holds its write lock
    # because the caller flushed the journey row first.
    stmt = select(ChainHead).where(ChainHead.id == CHAIN_HEAD_ID).with_for_update()
    head = db.session.execute(stmt).scalar_one_or_none()
    if head is None:
        ensure_chain_head()
        head = db.session.execute(stmt).scalar_one()
    return head


def append_event(
    journey: Journey,
    actor: User | None,
    event: str,
    from_state: str,
    to_state: str,
    *,
    comment: str = "",
    note: str = "",
    at: datetime | None = None,
    packet_sha256: str | None = None,
    payload: str | None = None,
) -> Event:
    head = _locked_head()
    row = Event(
        journey_id=journey.id,
        actor_id=actor.id if actor else None,
        event=event,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        note=note,
        created_at=at or utcnow(),
        packet_sha256=packet_sha256,
        payload=payload,
        hash_version=HASH_VERSION,
        via=current_channel(actor),
        prev_hash=head.last_hash,
    )
    row.hash = event_hash(head.last_hash, row)
    db.session.add(row)
    db.session.flush()
    head.last_hash = row.hash
    head.last_event_id = row.id
    db.session.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def verify_rows(rows: Iterable[Event], head_hash: str | None = None) -> ChainReport:
    """Walk the rows in id order; report the first whose link or content does not hold."""
    prev = GENESIS_HASH
    checked = 0
    for row in rows:
        if row.prev_hash != prev:
            return ChainReport(checked, row.id, "its previous-hash link does not match")
        try:
            recomputed = event_hash(prev, row)
        except UnknownHashVersion:
            return ChainReport(checked, row.id, f"its hash version {row.hash_version} is unknown")
        if recomputed != row.hash:
            return ChainReport(checked, row.id, "its content does not match its hash")
        prev = row.hash
        checked += 1
    if head_hash is not None and head_hash != prev:
        return ChainReport(checked, None, "the newest event does not match the chain head")
    return ChainReport(checked)


def verify_chain(batch_size: int = 1000) -> ChainReport:
    # Plain rows (same attribute names as Event), so a long log is not built into ORM objects.
    log = Event.__table__
    rows = db.session.execute(
        select(log).order_by(log.c.id).execution_options(yield_per=batch_size)
    )
    head = db.session.get(ChainHead, CHAIN_HEAD_ID)
    return verify_rows(rows, head.last_hash if head else None)
