"""A job kind whose effect is inside the database: it creates the account its payload names."""

from __future__ import annotations

import pytest

from workflow.extensions import db
from workflow.jobs import JobKind
from workflow.models import Account, AccountKind


class CreateAccount:
    """Create the seller account named in the payload.

    Effect rule: inside the database only; the account row commits together with the job's
    done mark, so it exists once or not at all.
    """

    def __init__(self):
        self.runs: list[int] = []
        self.failures_left = 0
        self.during = None  # called after the write, to simulate what happens meanwhile

    def __call__(self, job):
        self.runs.append(job.id)
        db.session.add(
            Account(
                kind=AccountKind.seller,
                name=job.payload["name"],
                taobao_account_id=job.payload["name"],
            )
        )
        db.session.flush()
        if self.during:
            self.during(job)
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the service is down for a moment")


def register_kind(app, handler, *, max_attempts=3, name="create_account"):
    registry = app.extensions["jobs"]
    registry.register(JobKind(name, handler, max_attempts=max_attempts))
    return registry


@pytest.fixture
def create_account_kind(app, database):
    handler = CreateAccount()
    registry = register_kind(app, handler)
    yield handler
    registry.unregister("create_account")
