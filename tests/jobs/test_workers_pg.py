"""Two workers on PostgreSQL share the queue (FOR UPDATE SKIP LOCKED) and never run a job twice."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from tests.jobs.conftest import CreateAccount, register_kind
from tests.support import clear_tables
from workflow import jobs
from workflow.extensions import db
from workflow.models import Account, Job, JobStatus


class SlowCreateAccount(CreateAccount):
    """Create the seller account named in the payload, slowly, so that workers overlap.

    Effect rule: inside the database only, committed with the job's done mark.
    """

    def __call__(self, job):
        time.sleep(0.003)
        super().__call__(job)


def test_two_workers_never_run_the_same_job(pg_app):
    handler = SlowCreateAccount()
    registry = register_kind(pg_app, handler)
    try:
        with pg_app.app_context():
            clear_tables()
            for n in range(80):
                jobs.enqueue("create_account", {"name": f"pg-{n}"})
            db.session.commit()
        start = threading.Barrier(2)
        claimed_by: dict[int, list[int]] = {}

        def worker(index):
            with pg_app.app_context():
                start.wait()
                while result := jobs.run_due(kinds=["create_account"], limit=4):
                    claimed_by.setdefault(index, []).append(result.done)
                db.session.remove()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(handler.runs) == sorted(set(handler.runs)) and len(handler.runs) == 80
        assert set(claimed_by) == {0, 1}  # both workers took part
        with pg_app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Account)) == 80
            statuses = set(db.session.scalars(select(Job.status)))
            attempts = set(db.session.scalars(select(Job.attempts)))
            assert statuses == {JobStatus.done} and attempts == {1}
    finally:
        registry.unregister("create_account")
