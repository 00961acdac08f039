"""The reviewer queue: journeys waiting for a reviewer, oldest first.

One page costs two statements whatever its size: a capped count and the page itself. The
page is the union of one index range scan per waiting state (``ix_journeys_state_changed``,
each limited to the rows the page can need), so its cost does not grow with the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from workflow.extensions import db
from workflow.models import Account, Journey
from workflow.stages import REVIEW_STATES, STAGES

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: Counting stops here: beyond it the page says "1000+", which is all a person needs.
COUNT_CAP = 1000


@dataclass(frozen=True)
class QueueFilter:
    #: A stage number ("1".."5"), or "" for all.
    stage: str = ""
    #: Only items waiting at least this many days.
    min_days: int = 0
    #: "" anyone, "none" unassigned, or a user id.
    assignee: str = ""

    def states(self) -> tuple[str, ...]:
        if not self.stage:
            return REVIEW_STATES
        wanted = next((s.states for s in STAGES if s.number == self.stage), ())
        return tuple(s for s in REVIEW_STATES if s in wanted)


@dataclass(frozen=True)
class QueuePage:
    items: list[Journey]
    total: int
    page: int
    pages: int
    #: True when ``total`` stopped at the cap.
    is_capped: bool = False
    has_next: bool = False


def review_queue(
    page: int = 1,
    *,
    states: tuple[str, ...] | None = None,
    queue_filter: QueueFilter | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    queue_filter = queue_filter or QueueFilter()
    states = tuple(s for s in (states or REVIEW_STATES) if s in queue_filter.states())
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    conditions = filter_conditions(queue_filter)
    total = _capped_count(states, conditions)
    is_capped = total > COUNT_CAP
    pages = max(1, -(-min(total, COUNT_CAP) // page_size))
    page = max(page, 1) if is_capped else min(max(page, 1), pages)
    items = _page_items(states, conditions, (page - 1) * page_size, page_size + 1)
    return QueuePage(
        items[:page_size],
        min(total, COUNT_CAP),
        page,
        max(pages, page),
        is_capped,
        len(items) > page_size,
    )


def filter_conditions(queue_filter: QueueFilter) -> list:
    conditions = []
    if queue_filter.min_days > 0:
        cutoff = datetime.now(UTC) - timedelta(days=queue_filter.min_days)
        conditions.append(Journey.state_changed_at <= cutoff)
    if queue_filter.assignee == "none":
        conditions.append(Journey.assignee_id.is_(None))
    elif queue_filter.assignee.isascii() and queue_filter.assignee.isdigit():
        conditions.append(Journey.assignee_id == int(queue_filter.assignee))
    return conditions


def _capped_count(states: tuple[str, ...], conditions: list) -> int:
    if not states:
        return 0
    capped = (
        select(Journey.id)
        .where(Journey.state.in_(states), *conditions)
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def _page_items(states: tuple[str, ...], conditions: list, offset: int, limit: int) -> list:
    if not states:
        return []
    # Each state's rows come in index order; only offset + limit of them can reach the page.
    per_state = [
        select(Journey.id, Journey.state_changed_at)
        .where(Journey.state == state, *conditions)
        .order_by(Journey.state_changed_at, Journey.id)
        .limit(offset + limit)
        .subquery()
        for state in states
    ]
    merged = union_all(
        *(select(part.c.id, part.c.state_changed_at) for part in per_state)
    ).subquery()
    page_ids = (
        select(merged.c.id)
        .order_by(merged.c.state_changed_at, merged.c.id)
        .offset(offset)
        .limit(limit)
    )
    stmt = (
        select(Journey)
        .join(Journey.account)
        .options(contains_eager(Journey.account), joinedload(Journey.assignee))
        .options(joinedload(Journey.app))
        .where(Journey.id.in_(page_ids))
        .order_by(Journey.state_changed_at, Journey.id)
    )
    return list(db.session.scalars(stmt).unique())


__all__ = ["Account", "QueueFilter", "QueuePage", "review_queue"]
