"""Messages posted at the same moment on PostgreSQL: the unique form token and the chain hold."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.support import clear_tables
from workflow import audit
from workflow.conversation import operations
from workflow.conversation.operations import AlreadyPosted, post_message
from workflow.extensions import db
from workflow.models import Account, AccountKind, Event, Journey, Role, StageMessage, User
from workflow.models.base import utcnow
from workflow.operations import open_journey
from workflow.replay import replay_log


def _setup(app) -> tuple[int, list[int]]:
    with app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.isv, name="Race Ltd", taobao_account_id="race")
        people = [
            User(email="a@x.test", role=Role.applicant, account=account),
            User(email="r@x.test", role=Role.reviewer),
        ]
        for person in people:
            person.password_hash, person.email_verified_at = "x", utcnow()
        db.session.add_all([account, *people])
        db.session.flush()
        journey = open_journey(account, None)
        journey.state = "cloud_provisioning"
        db.session.commit()
        return journey.id, [p.id for p in people]


def _post_at_once(app, journey_id: int, authors_and_nonces) -> list[str]:
    ready = threading.Barrier(len(authors_and_nonces))
    outcomes: list[str] = []

    def post(author_id: int, nonce: str) -> None:
        with app.app_context():
            journey = db.session.get(Journey, journey_id)
            author = db.session.get(User, author_id)
            ready.wait()
            try:
                post_message(journey, author, f"Posted by {author_id}", nonce=nonce)
                db.session.commit()
                outcomes.append("posted")
            except AlreadyPosted:
                outcomes.append("already")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post, args=pair) for pair in authors_and_nonces]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        messages = db.session.scalar(select(func.count()).select_from(StageMessage))
        events = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.event == "conversation.message")
        )
        assert audit.verify_chain().ok and replay_log().ok
        return messages, events


def test_one_form_sent_twice_at_once_posts_once(pg_app, monkeypatch):
    journey_id, (applicant_id, _) = _setup(pg_app)
    # Neither request sees the other's row before inserting: the unique index must decide.
    monkeypatch.setattr(operations, "_posted_with", lambda author, nonce: None)
    nonce = "same-form-token-1234"
    assert _post_at_once(pg_app, journey_id, [(applicant_id, nonce)] * 2) == [
        "already",
        "posted",
    ]
    assert _counts(pg_app) == (1, 1)


def test_both_sides_writing_at_once_both_post_in_one_chain(pg_app):
    journey_id, people = _setup(pg_app)
    pairs = [(person, f"form-of-user-{person}-xyz") for person in people]
    assert _post_at_once(pg_app, journey_id, pairs) == ["posted", "posted"]
    assert _counts(pg_app) == (2, 2)
