"""The queue and the search results as tables for CSV and XLSX (``workflow.web.exports``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from workflow.extensions import db
from workflow.models import App, Journey
from workflow.review.queries import QueueFilter, filter_conditions
from workflow.review.search import search_journeys
from workflow.stages import stage_of, state_name
from workflow.web.exports import MAX_ROWS, Table

QUEUE_HEADER = (
    "Journey", "Title", "Stage", "State", "Applicant", "Kind", "Taobao account ID",
    "Waiting since", "Days waiting", "Overdue", "Assignee",
)  # fmt: skip
SEARCH_HEADER = (
    "Journey", "Title", "Stage", "State", "Applicant", "Kind", "Taobao account ID",
    "In this state since", "Assignee",
)  # fmt: skip


def queue_table(queue_filter: QueueFilter, sla_days: int, now: datetime | None = None) -> Table:
    """Every item the queue shows under ``queue_filter``, oldest first, up to the export cap."""
    now = now or datetime.now(UTC)
    states = queue_filter.states()
    stmt = (
        select(Journey)
        .join(Journey.account)
        .options(contains_eager(Journey.account), joinedload(Journey.assignee))
        .options(joinedload(Journey.app))
        .where(Journey.state.in_(states), *filter_conditions(queue_filter))
        .order_by(Journey.state_changed_at, Journey.id)
        .limit(MAX_ROWS + 1)
    )
    journeys = list(db.session.scalars(stmt).unique()) if states else []
    sla = timedelta(days=sla_days)
    rows = [
        (
            *_common(j),
            j.state_changed_at,
            round((now - j.state_changed_at).total_seconds() / 86400, 1),
            now - j.state_changed_at >= sla,
            j.assignee.display_name if j.assignee else "",
        )
        for j in journeys
    ]
    return Table("review-queue", QUEUE_HEADER, rows)


def search_table(text: str, state: str) -> Table:
    """The search's matches in the order the pages show them, up to the export cap."""
    journeys = search_journeys(text, state, page_size=MAX_ROWS + 1).items
    _load_apps(journeys)
    rows = [
        (*_common(j), j.state_changed_at, j.assignee.display_name if j.assignee else "")
        for j in journeys
    ]
    return Table("journeys", SEARCH_HEADER, rows)


def _common(journey: Journey) -> tuple:
    stage = stage_of(journey.state)
    account = journey.account
    return (
        journey.id,
        str(journey.title),
        f"{stage.number}. {stage.title}" if stage else "",
        state_name(journey.state),
        account.name,
        account.kind.value.upper(),
        account.taobao_account_id,
    )


def _load_apps(journeys: list[Journey]) -> None:
    """Every journey's APP in one statement, instead of one per row."""
    ids = [j.id for j in journeys]
    apps = {a.journey_id: a for a in db.session.scalars(select(App).where(App.journey_id.in_(ids)))}
    for journey in journeys:
        set_committed_value(journey, "app", apps.get(journey.id))
