"""Two reminder rounds racing on PostgreSQL: the unique key lets one of them send each notice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from tests.notifications.conftest import NOW
from tests.support import clear_tables
from workflow.extensions import db
from workflow.models import Account, AccountKind, OutboxMessage, Role, SentReminder, User
from workflow.notifications.reminders import send_reminders
from workflow.operations import open_journey


def _seed(app) -> tuple[int, str]:
    with app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.isv, name="Raced Co", taobao_account_id="tb_raced")
        applicant = User(
            email="raced@example.com", role=Role.applicant, account=account, password_hash="x"
        )
        db.session.add_all([account, applicant])
        journey = open_journey(account, None)
        journey.state = "enablement_changes_requested"
        journey.state_changed_at = NOW - timedelta(days=app.config["APPLICANT_REMINDER_DAYS"] + 1)
        db.session.commit()
        return journey.id, applicant.email


def test_two_rounds_at_once_send_one_reminder(pg_app):
    journey_id, email = _seed(pg_app)
    sent: dict[str, list] = {}

    def round_(name: str, *, start_after: float, hold: float):
        with pg_app.app_context():
            time.sleep(start_after)
            sent[name] = send_reminders(NOW)  # the second one waits on the first one's key
            time.sleep(hold)  # the first one holds its uncommitted row meanwhile
            db.session.commit()
            db.session.remove()

    threads = [
        threading.Thread(target=round_, args=("first",), kwargs={"start_after": 0, "hold": 0.5}),
        threading.Thread(target=round_, args=("second",), kwargs={"start_after": 0.2, "hold": 0}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [n.kind for n in sent["first"]] == ["reminder"] and sent["second"] == []
    with pg_app.app_context():
        mails = db.session.scalars(select(OutboxMessage.to_addr)).all()
        assert mails == [email]
        assert db.session.scalars(select(SentReminder.journey_id)).all() == [journey_id]
        db.session.remove()
