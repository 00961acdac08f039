"""Several `flask outbox send` workers share the queue on PostgreSQL without duplicates."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from tests.support import clear_tables
from workflow.extensions import db
from workflow.mail.delivery import send_due
from workflow.mail.outbox import queue_mail
from workflow.models import OutboxMessage, OutboxStatus


class SlowRecorder:
    """A transport that takes a little time per message, so the workers overlap."""

    def __init__(self):
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, message):
        time.sleep(0.005)
        with self.lock:
            self.sent.append(message["Message-ID"])


def test_two_workers_never_send_a_message_twice(pg_app):
    with pg_app.app_context():
        clear_tables()
        for n in range(60):
            queue_mail(f"user{n}@example.com", f"Message {n}", "body")
        db.session.commit()
    transport = SlowRecorder()
    start = threading.Barrier(2)

    def worker():
        with pg_app.app_context():
            start.wait()
            while send_due(transport, limit=5).sent:
                pass
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(transport.sent) == 60
    assert len(set(transport.sent)) == 60
    with pg_app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert {m.status for m in messages} == {OutboxStatus.sent}
        assert all(m.sent_at and m.delivery.attempts == 1 for m in messages)
