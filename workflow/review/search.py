"""Every journey, for staff: find one by account, taobao ID, APP name or APP key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from workflow.extensions import db
from workflow.models import Account, App, Journey

SEARCH_PAGE_SIZE = 50


@dataclass(frozen=True)
class SearchPage:
    items: list[Journey]
    page: int
    has_next: bool


def search_journeys(
    text: str = "", state: str = "", page: int = 1, *, page_size: int = SEARCH_PAGE_SIZE
) -> SearchPage:
    page = max(page, 1)
    stmt = (
        select(Journey)
        .join(Journey.account)
        .outerjoin(App, App.journey_id == Journey.id)
        .options(contains_eager(Journey.account))
    )
    text = text.strip()
    if text:
        pattern = f"%{_escape_like(text)}%"
        stmt = stmt.where(
            or_(
                Account.name.ilike(pattern, escape="/"),
                Account.taobao_account_id.ilike(pattern, escape="/"),
                App.name.ilike(pattern, escape="/"),
                App.app_key.ilike(pattern, escape="/"),
            )
        )
    if state:
        stmt = stmt.where(Journey.state == state)
    # One row more than a page tells whether there is a next page without counting them all.
    stmt = stmt.order_by(Journey.state_changed_at.desc(), Journey.id.desc())
    rows = list(db.session.scalars(stmt.limit(page_size + 1).offset((page - 1) * page_size)))
    return SearchPage(rows[:page_size], page, len(rows) > page_size)


def _escape_like(text: str) -> str:
    """Match ``%`` and ``_`` literally; ``/`` is the escape character."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")
