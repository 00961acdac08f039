"""Journeys placed in time, and the outbox read back by recipient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import AccountKind, OutboxMessage, Role

#: The clock the reminder tests run on: 10:00 UTC, after the digest hour (7).
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def outbox(to_addr: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if to_addr is not None:
        stmt = stmt.where(OutboxMessage.to_addr == to_addr)
    return list(db.session.scalars(stmt))


@pytest.fixture
def place(make_account, make_user, make_journey):
    """``place(state, waited, assignee=None)``: a journey of a new ISV account with one
    applicant, in ``state`` since ``waited`` before ``NOW``."""

    def make(state: str, waited: timedelta, *, assignee=None, name: str | None = None):
        account = make_account(AccountKind.isv, name=name)
        applicant = make_user(Role.applicant, account)
        journey = make_journey(account, applicant, state=state)
        journey.state_changed_at = NOW - waited
        journey.assignee = assignee
        db.session.commit()
        return journey, applicant

    return make
