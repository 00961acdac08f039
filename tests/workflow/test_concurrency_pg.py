"""Two reviewers approve the same journey at the same moment on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.support import clear_tables
from workflow import requirements
from workflow.errors import ConcurrentChange
from workflow.extensions import db
from workflow.models import Account, AccountKind, Event, Journey, Role, User
from workflow.operations import fire, open_journey


def _setup(app) -> tuple[int, int, list[int]]:
    with app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.isv, name="Race Ltd", taobao_account_id="race")
        reviewers = [
            User(email=f"r{i}@x.test", role=Role.reviewer, password_hash="x") for i in (1, 2)
        ]
        db.session.add_all([account, *reviewers])
        db.session.flush()
        journey = open_journey(account, None)
        journey.state = "enablement_submitted"
        db.session.commit()
        return journey.id, journey.version_id, [r.id for r in reviewers]


def test_two_reviewers_approving_at_once_make_one_transition(pg_app, monkeypatch):
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    journey_id, version, reviewer_ids = _setup(pg_app)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(reviewer_id: int) -> None:
        with pg_app.app_context():
            journey = db.session.get(Journey, journey_id)
            reviewer = db.session.get(User, reviewer_id)
            both_loaded.wait()  # both have read the journey in its submitted state
            try:
                fire(journey, "approve", reviewer, comment="Looks good")
                db.session.commit()
                outcomes.append("won")
            except ConcurrentChange:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(rid,)) for rid in reviewer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "won"]
    with pg_app.app_context():
        approvals = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.event == "approve")
        )
        journey = db.session.get(Journey, journey_id)
        assert approvals == 1
        assert journey.state == "enabled"
        assert journey.version_id == version + 1
        from workflow.audit import verify_chain

        assert verify_chain().ok
