"""Two copies of one API step with the same Idempotency-Key, sent at the same moment on
PostgreSQL: the step is taken once, whichever request gets there first."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.api.conftest import bearer
from tests.support import clear_tables
from workflow import requirements
from workflow.api.tokens import create_token
from workflow.extensions import db
from workflow.models import Account, AccountKind, Event, IdempotentResponse, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey


def test_a_step_sent_twice_at_once_with_one_key_acts_once(pg_app, monkeypatch):
    # The step's own requirements (a rejected document) are not what this is about.
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    with pg_app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.isv, name="Race Ltd", taobao_account_id="race")
        reviewer = User(
            email="r@x.test", role=Role.reviewer, password_hash="x", email_verified_at=utcnow()
        )
        db.session.add_all([account, reviewer])
        db.session.flush()
        journey = open_journey(account, None)
        journey.state = "enablement_submitted"
        _, token = create_token(reviewer, "race", ["read", "write"], 7)
        db.session.commit()
        journey_id, version = journey.id, journey.version_id
        db.session.remove()
    ready = threading.Barrier(2)
    statuses: list[int] = []
    headers = bearer(token, **{"If-Match": f'"{version}"', "Idempotency-Key": "race-1"})

    def send() -> None:
        client = pg_app.test_client()
        ready.wait()
        response = client.post(
            f"/api/v1/journeys/{journey_id}/events/request_changes",
            json={"comment": "Say more."},
            headers=headers,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # One took the step; the other got its stored answer, or was told someone acted first.
    assert 201 in statuses and len(statuses) == 2 and set(statuses) <= {201, 409}
    with pg_app.app_context():
        steps = select(func.count()).select_from(Event).where(Event.event == "request_changes")
        assert db.session.scalar(steps) == 1
        assert db.session.scalar(select(func.count()).select_from(IdempotentResponse)) == 1
        db.session.remove()
