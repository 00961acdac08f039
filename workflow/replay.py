"""Replay the event log against the rows it describes.

Every chained event says something about rows. A transition sets its journey's state. A
decision (``workflow.decisions.decide``) names the rows it decided and the values they held
right after it. Replaying the log in order gives what each of those rows must hold now;
:func:`replay_log` compares and names the first row that differs.

``TRACKED`` is the one list of what is replayed. ``decide`` records exactly these fields, read
through the same functions, so what the log says and what replay compares cannot drift apart.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from workflow.extensions import db
from workflow.models import (
    ApiRequest,
    App,
    DeletedFile,
    DocumentVersion,
    Event,
    Evidence,
    Journey,
    SellerList,
    StageMessage,
)
from workflow.models.journeys import DECISION_EVENTS, canonical_json


def plain(value: Any) -> Any:
    """A column value as the log spells it: enums by value, datetimes as UTC ISO text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def _column(name: str) -> Callable[[Any], Any]:
    return lambda row: plain(getattr(row, name))


def _report_sha256(row: Any) -> str:
    import hashlib

    return hashlib.sha256(canonical_json(row.report or {}).encode()).hexdigest()


def _body_sha256(row: Any) -> str:
    import hashlib

    return hashlib.sha256(row.body.encode()).hexdigest()


@dataclass(frozen=True)
class Tracked:
    """A table whose decided fields the log records.

    ``before`` is what a row holds while no decision names it; ``None`` means every row must be
    named by one (evidence exists only once attached). Rows of a table that ``may_vanish`` can
    be deleted by the app (the applicant drops an API from the request).
    """

    model: type
    fields: dict[str, Callable[[Any], Any]]
    before: dict[str, Any] | None
    may_vanish: bool = False


def _fields(*names: str, **computed: Callable[[Any], Any]) -> dict[str, Callable[[Any], Any]]:
    return {**{name: _column(name) for name in names}, **computed}


TRACKED: dict[str, Tracked] = {
    "journeys": Tracked(
        Journey,
        _fields("assignee_id", "follows_journey_id"),
        {"assignee_id": None, "follows_journey_id": None},
    ),
    "document_versions": Tracked(
        DocumentVersion,
        _fields("journey_id", "review_status", "review_reason", "is_account_id_seen"),
        {"review_status": "pending", "review_reason": "", "is_account_id_seen": False},
    ),
    "api_requests": Tracked(
        ApiRequest,
        _fields("app_id", "method", "decision", "decision_reason", "is_customer_info_marked"),
        {"decision": "pending", "decision_reason": "", "is_customer_info_marked": False},
        may_vanish=True,
    ),
    "seller_lists": Tracked(
        SellerList,
        _fields("journey_id", "kind", "sha256", "status", "is_in_force"),
        {"status": "pending", "is_in_force": False},
    ),
    "apps": Tracked(
        App,
        _fields(
            "journey_id",
            "console_configured_at",
            "is_security_config_required",
            "is_cloud_config_required",
            "security_config_details",
            "cloud_config_details",
            "security_config_confirmed_at",
            "cloud_config_confirmed_at",
            "security_config_confirmation",
            "cloud_config_confirmation",
            "is_sandbox_required",
            "sandbox_required_reason",
        ),
        {
            "console_configured_at": None,
            "is_security_config_required": False,
            "is_cloud_config_required": False,
            "security_config_details": "",
            "cloud_config_details": "",
            "security_config_confirmed_at": None,
            "cloud_config_confirmed_at": None,
            "security_config_confirmation": "",
            "cloud_config_confirmation": "",
            "is_sandbox_required": False,
            "sandbox_required_reason": "",
        },
    ),
    "evidence": Tracked(
        Evidence,
        _fields(
            "journey_id", "kind", "source", "is_passing", "sha256", "withdrawn_at",
            report_sha256=_report_sha256,
        ),
        None,
    ),
    # A message is named by the event that posted it; its text by its SHA-256 (the event's
    # comment holds the text itself).
    "stage_messages": Tracked(
        StageMessage,
        _fields("journey_id", "stage", "author_id", body_sha256=_body_sha256),
        None,
    ),
    # A file deleted under retention: the record is named by the desk's decision that made it.
    "deleted_files": Tracked(
        DeletedFile,
        _fields("journey_id", "kind", "source_table", "source_id", "sha256", "days", "deleted_at"),
        None,
    ),
}  # fmt: skip

_TABLE_OF_MODEL = {tracked.model: table for table, tracked in TRACKED.items()}


def recorded_row(row: Any) -> dict[str, Any]:
    """How a decision names ``row``: its table, id and the tracked fields it holds now."""
    table = _TABLE_OF_MODEL[type(row)]
    values = {name: read(row) for name, read in TRACKED[table].fields.items()}
    return {"table": table, "id": row.id, "values": values}


@dataclass(frozen=True)
class Difference:
    """A row that does not hold what the log says."""

    table: str
    row_id: int
    field: str
    expected: Any
    found: Any
    event_id: int | None = None  #: the event that set the expected value

    def __str__(self) -> str:
        where = f"{self.table} {self.row_id}"
        if self.expected is _MISSING:
            return f"{where}: no event records this row"
        if self.found is _MISSING:
            return f"{where}: event {self.event_id} records this row, but it is gone"
        said = f"event {self.event_id}" if self.event_id else "no event changes it"
        return (
            f"{where}, {self.field}: the log says {_show(self.expected)} ({said}), "
            f"the row holds {_show(self.found)}"
        )


def _show(value: Any) -> str:
    return canonical_json({"v": value})[5:-1]


#: Stands for a row that the log or the table lacks.
_MISSING = object()


@dataclass
class ReplayReport:
    differences: list[Difference] = field(default_factory=list)
    difference_count: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.difference_count == 0

    @property
    def first(self) -> Difference | None:
        return self.differences[0] if self.differences else None

    def add(self, difference: Difference) -> None:
        self.difference_count += 1
        if len(self.differences) < 20:
            self.differences.append(difference)


#: (table, id) -> field -> (value, id of the event that set it)
Expected = dict[tuple[str, int], dict[str, tuple[Any, int]]]


def expected_from(events: Iterator[Any], report: ReplayReport) -> Expected:
    """What the rows must hold, from events in id order (rows with id, journey_id, event,
    to_state and payload)."""
    expected: Expected = {}
    for event in events:
        expected.setdefault(("journeys", event.journey_id), {})["state"] = (
            event.to_state,
            event.id,
        )
        if event.event not in DECISION_EVENTS or not event.payload:
            continue
        for named in json.loads(event.payload).get("rows", []):
            table, row_id = named.get("table"), named.get("id")
            if table not in TRACKED or not isinstance(row_id, int):
                report.add(Difference("events", event.id, "payload", "a tracked row", named))
                continue
            fields = expected.setdefault((table, row_id), {})
            for name, value in named.get("values", {}).items():
                fields[name] = (value, event.id)
    return expected


def replay_log(batch_size: int = 1000) -> ReplayReport:
    """Replay every event in order and compare the tracked rows with what it says."""
    # Plain rows, not ORM objects: replay reads every row once and keeps none of them.
    report = ReplayReport()
    log = Event.__table__.c
    events = db.session.execute(
        select(log.id, log.journey_id, log.event, log.to_state, log.payload)
        .order_by(log.id)
        .execution_options(yield_per=batch_size)
    )
    expected = expected_from(iter(events), report)
    for table, tracked in TRACKED.items():
        columns = tracked.model.__table__
        rows = db.session.execute(
            select(columns).order_by(columns.c.id).execution_options(yield_per=batch_size)
        )
        count = 0
        for row in rows:
            count += 1
            _compare(report, table, tracked, row, expected.pop((table, row.id), None))
        report.rows[table] = count
    for (table, row_id), fields in sorted(expected.items()):
        if not TRACKED[table].may_vanish:
            name, (value, event_id) = next(iter(fields.items()))
            report.add(Difference(table, row_id, name, value, _MISSING, event_id))
    return report


def _compare(report, table: str, tracked: Tracked, row, said) -> None:
    if table == "journeys":
        state = (said or {}).pop("state", None)
        if state is None:
            report.add(Difference(table, row.id, "state", None, row.state))
        elif state[0] != row.state:
            report.add(Difference(table, row.id, "state", state[0], row.state, state[1]))
        said = said or None
    if said is None:
        if tracked.before is None:
            report.add(Difference(table, row.id, "row", _MISSING, row.id))
            return
        said = {name: (value, None) for name, value in tracked.before.items()}
    for name, (value, event_id) in said.items():
        read = tracked.fields.get(name)
        found = read(row) if read else _MISSING
        if found != value:
            report.add(Difference(table, row.id, name, value, found, event_id))
