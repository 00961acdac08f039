"""Journeys whose trail has known times: a clock the desk's own operations read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflow import audit, operations, requirements
from workflow.extensions import db
from workflow.models import AccountKind, EnablementRequest, Role

DAY = timedelta(days=1)


class Clock:
    """What ``utcnow`` says while seeding; each step of a journey moves it on."""

    def __init__(self, start: datetime):
        #: The real time when the test began; the report reads the real clock.
        self.real_now = datetime.now(UTC)
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(datetime.now(UTC) - 40 * DAY)
    monkeypatch.setattr(operations, "utcnow", clock)
    monkeypatch.setattr(audit, "utcnow", clock)
    return clock


@pytest.fixture
def seller_journey(make_account, make_user, monkeypatch, clock):
    """``start(name, at)``: a seller's journey opened at ``at``, ready to submit."""
    # No content checks: the times are what these tests are about.
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))

    def start(name: str, at: datetime):
        account = make_account(AccountKind.seller, name=name)
        applicant = make_user(Role.applicant, account)
        clock.now = at
        journey = operations.open_journey(account, applicant)
        db.session.add(
            EnablementRequest(
                journey_id=journey.id,
                seller_id="2200123456",
                shop_name=name,
                contact_name="Li Lei",
                contact_email="li@example.com",
                reason="Sync orders to our ERP",
            )
        )
        db.session.flush()
        return journey, applicant

    return start


def at(clock: Clock, moment: datetime, journey, event: str, actor, **kwargs):
    """Fire ``event`` on ``journey`` as of ``moment``, through the desk's one door."""
    clock.now = moment
    row = operations.fire(journey, event, actor, **kwargs)
    db.session.commit()
    return row
