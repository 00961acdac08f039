"""Fixtures of the evidence tests: a local gateway the desk points at, a journey collecting."""

from __future__ import annotations

import pytest

from top.gateway import LocalGateway
from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.models import AccountKind, Role


@pytest.fixture
def gateway(app, monkeypatch):
    with LocalGateway() as running:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", running.url)
        yield running


@pytest.fixture
def collecting(make_account, make_user, make_journey, login):
    """A seller's journey in sandbox verification, its applicant signed in."""
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    db.session.commit()
    return journey, applicant, login(applicant)
