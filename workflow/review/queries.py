"""The reviewer queue: journeys waiting for a reviewer, oldest first, in one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from workflow.extensions import db
from workflow.models import Account, Journey
from workflow.stages import REVIEW_STATES

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    items: list[Journey]
    total: int
    page: int
    pages: int


def review_queue(page: int = 1, *, states: tuple[str, ...] = REVIEW_STATES) -> QueuePage:
    waiting = Journey.state.in_(states)
    total = db.session.scalar(select(func.count()).select_from(Journey).where(waiting)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    stmt = (
        select(Journey)
        .join(Journey.account)
        .options(contains_eager(Journey.account))
        .where(waiting)
        .order_by(Journey.state_changed_at, Journey.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    items = list(db.session.scalars(stmt))
    return QueuePage(items, total, page, pages)


__all__ = ["Account", "QueuePage", "review_queue"]
