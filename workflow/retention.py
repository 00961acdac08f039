"""Retention: files and mail past the period an admin set are deleted; their hashes stay.

An admin sets a period per :class:`~workflow.models.RetentionKind`. A record is due when its
journey ended (rejected or withdrawn) or was released at least that many days ago, and the
record itself is that old too (a packet made after the release waits its own period). Mail is
due that many days after it was sent.

Deleting keeps the evidence that something existed: the row keeps its SHA-256 and loses its
``file_id``, a :class:`~workflow.models.DeletedFile` row says what, when and under which
period, and one chained decision per journey (``DecisionKind.files_deleted``, recorded by the
desk under its retention rule) names those rows. ``flask audit verify`` still holds, and
``flask storage check`` no longer expects the objects. The objects themselves are deleted only
once the transaction committed (:func:`workflow.files.delete_after_commit`).

Like every operation, :func:`apply_retention` flushes and never commits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from workflow.decisions import decide
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.files import delete_after_commit
from workflow.i18n import _l, english
from workflow.jobs.registry import JobKind
from workflow.models import (
    RETENTION_TITLES,
    DecisionKind,
    DeletedFile,
    DocumentVersion,
    Evidence,
    Job,
    Journey,
    OutboxMessage,
    Packet,
    PacketSnapshot,
    RetentionKind,
    RetentionRule,
    StageForm,
    User,
)
from workflow.models.base import utcnow
from workflow.models.enablement import DOCUMENT_TITLES
from workflow.policy import Action, authorize
from workflow.rules import RETENTION, desk_actor

#: States after which a journey's records start their retention period.
ENDED_STATES = ("released", "rejected", "withdrawn")

#: The longest period an admin may set: a hundred years is "keep".
MAX_DAYS = 36500


def rules() -> dict[RetentionKind, RetentionRule]:
    return {rule.kind: rule for rule in db.session.scalars(select(RetentionRule))}


def set_rules(actor: User, days: dict[RetentionKind, int | None]) -> dict[RetentionKind, int]:
    """Set the period of each kind in ``days``; ``None`` keeps that kind for ever."""
    authorize(actor, Action.manage_retention)
    current = rules()
    for kind, value in days.items():
        rule = current.get(kind)
        if value is None:
            if rule is not None:
                db.session.delete(rule)
            continue
        if rule is None:
            rule = RetentionRule(kind=kind)
            db.session.add(rule)
        if rule.days != value:
            rule.days, rule.updated_at, rule.updated_by_id = value, utcnow(), actor.id
    db.session.flush()
    return {kind: rule.days for kind, rule in rules().items()}


@dataclass(frozen=True)
class Due:
    """One record past its period."""

    kind: RetentionKind
    row: Any
    journey_id: int | None
    label: str
    days: int

    @property
    def source_table(self) -> str:
        return type(self.row).__tablename__


@dataclass
class RetentionReport:
    deleted: list[DeletedFile] = field(default_factory=list)
    purged_mail: int = 0
    journeys: int = 0

    def summary(self) -> str:
        files = len([row for row in self.deleted if row.kind is not RetentionKind.mail])
        return (
            f"{files} files deleted on {self.journeys} journeys, "
            f"{self.purged_mail} sent mails emptied"
        )


def _ended_before(cutoff: datetime):
    return select(Journey.id).where(
        Journey.state.in_(ENDED_STATES), Journey.state_changed_at <= cutoff
    )


def _document_label(row: DocumentVersion) -> str:
    title = english(DOCUMENT_TITLES[row.kind])
    return f"Document {row.kind.value} ({title}), version {row.version}"


def _attached_to_unsent_mail():
    return select(OutboxMessage.attachment_file_id).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attachment_file_id.is_not(None)
    )


#: The journey files each kind covers: (model, the column that dates a row, its label).
_FILE_ROWS: dict[RetentionKind, tuple[tuple[type, str, Callable[[Any], str]], ...]] = {
    RetentionKind.documents: (
        (DocumentVersion, "uploaded_at", _document_label),
        (StageForm, "created_at",
         lambda row: f"{row.kind.value.upper()} upload {row.filename or ''}".strip()),
    ),
    RetentionKind.evidence: (
        (Evidence, "created_at", lambda row: f"{row.kind.value.capitalize()} evidence #{row.id}"),
    ),
    RetentionKind.packets: ((Packet, "created_at", lambda row: f"Packet {row.reference}"),),
}  # fmt: skip


def _due_files(kind: RetentionKind, days: int, cutoff: datetime) -> Iterator[Due]:
    for model, dated_by, label in _FILE_ROWS[kind]:
        query = select(model).where(
            model.file_id.is_not(None),
            getattr(model, dated_by) <= cutoff,
            model.journey_id.in_(_ended_before(cutoff)),
        )
        if model is Packet:  # a packet still waiting to go out by mail stays until it went
            query = query.where(Packet.file_id.not_in(_attached_to_unsent_mail()))
        for row in db.session.scalars(query.order_by(model.journey_id, model.id)):
            yield Due(kind, row, row.journey_id, label(row), days)


def _due_mail(days: int, cutoff: datetime) -> Iterator[Due]:
    query = select(OutboxMessage).where(
        OutboxMessage.purged_at.is_(None), OutboxMessage.sent_at <= cutoff
    )
    for row in db.session.scalars(query.order_by(OutboxMessage.id)):
        label = f"Mail #{row.id} sent {row.sent_at:%Y-%m-%d}"
        yield Due(RetentionKind.mail, row, row.journey_id, label, days)


def due(now: datetime | None = None) -> Iterator[Due]:
    """Every record past the period its kind has, oldest journeys first."""
    now = now or utcnow()
    for kind, rule in sorted(rules().items()):
        cutoff = now - timedelta(days=rule.days)
        if kind is RetentionKind.mail:
            yield from _due_mail(rule.days, cutoff)
        else:
            yield from _due_files(kind, rule.days, cutoff)


def due_counts(now: datetime | None = None) -> dict[RetentionKind, int]:
    counts: dict[RetentionKind, int] = defaultdict(int)
    for item in due(now):
        counts[item.kind] += 1
    return dict(counts)


def _mail_sha256(row: OutboxMessage) -> str:
    content = "\n".join((row.to_addr, row.subject, row.body))
    return hashlib.sha256(content.encode()).hexdigest()


def apply_retention(now: datetime | None = None, actor: User | None = None) -> RetentionReport:
    """Delete every record past its period; record each deletion in the journey's trail.

    ``actor`` is the admin who asked on the page; the command line and the worker run it as
    the desk. Either way the trail names the desk's retention rule, which decided.
    """
    if actor is not None:
        authorize(actor, Action.manage_retention)
    now = now or utcnow()
    report = RetentionReport()
    by_journey: dict[int, list[DeletedFile]] = defaultdict(list)
    for item in list(due(now)):
        row = item.row
        if item.kind is RetentionKind.mail:
            sha256 = _mail_sha256(row)
            # The packet it carried has a row of its own and its own period.
            row.purge(now)
            report.purged_mail += 1
            if item.journey_id is None:
                continue  # mail about an account, not a journey: nothing in the trail names it
        else:
            sha256 = row.sha256 or ""
            delete_after_commit(row.file_id)
            row.file_id = None
            if item.kind is RetentionKind.packets:
                _empty_snapshot(row, now)
        record = DeletedFile(
            journey_id=item.journey_id,
            kind=item.kind,
            source_table=item.source_table,
            source_id=row.id,
            sha256=sha256,
            label=item.label[:300],
            days=item.days,
            deleted_at=now,
        )
        db.session.add(record)
        by_journey[item.journey_id].append(record)
    db.session.flush()
    actor = desk_actor(RETENTION) if by_journey else None
    for journey_id, records in by_journey.items():
        journey = db.session.get(Journey, journey_id)
        kinds = sorted({record.kind.value for record in records})
        decide(
            journey,
            actor,
            DecisionKind.files_deleted,
            records,
            {"kinds": kinds, "count": len(records)},
        )
        report.deleted.extend(records)
    report.journeys = len(by_journey)
    return report


def _empty_snapshot(packet: Packet, now: datetime) -> None:
    """The inputs a packet was rendered from hold what it holds, so they leave with it; the
    submission's event keeps their SHA-256."""
    snapshot = db.session.scalar(
        select(PacketSnapshot).where(PacketSnapshot.packet_id == packet.id)
    )
    if snapshot is not None:
        snapshot.inputs, snapshot.emptied_at = "", now


class FileDeleted(DomainError):
    """The file was deleted under retention: gone on purpose, not missing."""

    status_code = 410


def ensure_file_kept(row: Any) -> str:
    """``row``'s file id, or a refusal that says when and why the file was deleted."""
    if row.file_id:
        return row.file_id
    record = deletion_of(row)
    if record is None:
        raise NotFound(_l("No such file."))
    raise FileDeleted(
        _l(
            "This file was deleted on %(date)s under the %(days)d-day retention period for "
            "%(kind)s. Its SHA-256 stays on record: %(sha256)s.",
            date=record.deleted_at.strftime("%Y-%m-%d"),
            days=record.days,
            kind=RETENTION_TITLES.get(record.kind, record.kind.value),
            sha256=record.sha256,
        )
    )


def deletion_of(row: Any) -> DeletedFile | None:
    """The record saying ``row``'s file was deleted under retention, if it was."""
    return db.session.scalar(
        select(DeletedFile).where(
            DeletedFile.source_table == type(row).__tablename__, DeletedFile.source_id == row.id
        )
    )


def recent_deletions(limit: int = 50) -> list[DeletedFile]:
    return list(
        db.session.scalars(
            select(DeletedFile)
            .order_by(DeletedFile.deleted_at.desc(), DeletedFile.id.desc())
            .limit(limit)
        )
    )


# --- the daily job

#: The job kind ``flask worker`` queues once a day.
KIND = "retention"


def run_retention(job: Job) -> None:
    """Delete what is past its period (:func:`apply_retention`), as the desk.

    Effect rule: inside the database, the rows lose their file references and the deletion
    records and chained events are written once, together with marking the job done; outside
    it, the objects are deleted from storage only after that commits (a failure there leaves
    them unreferenced, for ``flask storage sweep``). A failed round leaves everything, and the
    next day's job deletes it.
    """
    apply_retention()


def retention_kind() -> JobKind:
    return JobKind(KIND, run_retention, every=timedelta(days=1))
