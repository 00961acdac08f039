"""Four OS processes write to one SQLite file at once: nothing is locked out, nothing is lost,
no mail job is claimed twice, and the audit chain still verifies.

This is about SQLite, so it runs on an SQLite file of its own on both CI passes.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from tests.sqlite_writers import ROUNDS, LoggingTransport, _drain, run_writer, writer_config
from tests.support import PASSWORD
from workflow.audit import verify_chain
from workflow.auth.operations import create_user, mark_email_verified
from workflow.extensions import db
from workflow.files import referenced_files
from workflow.models import (
    DocumentVersion,
    Event,
    Job,
    JobStatus,
    Journey,
    OutboxMessage,
    Packet,
    Role,
)
from workflow.storage_setup import get_storage

PROCESSES = 4


def test_four_processes_write_one_sqlite_file_at_once(tmp_path):
    from storage import check_consistency

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    app = create_app(writer_config(tmp_path, url))
    with app.app_context():
        upgrade()
        mark_email_verified(create_user("reviewer@writers.example.com", PASSWORD, Role.reviewer))
        db.session.commit()

    context = multiprocessing.get_context("spawn")
    start, queue = context.Barrier(PROCESSES), context.Queue()
    writers = [
        context.Process(target=run_writer, args=(i, str(tmp_path), url, start, queue))
        for i in range(PROCESSES)
    ]
    for writer in writers:
        writer.start()
    try:
        reports = [queue.get(timeout=600) for _ in writers]
    finally:
        for writer in writers:
            writer.join(timeout=10)
            if writer.is_alive():
                writer.kill()

    errors = [error for report in reports for error in report["errors"]]
    assert errors == []
    assert len({report["pid"] for report in reports}) == PROCESSES
    expected = PROCESSES * ROUNDS
    for report in reports:
        assert report["done"] | {"sent": 0} == {
            "sellers": ROUNDS,
            "submissions": ROUNDS,
            "uploads": ROUNDS,
            "reviews": ROUNDS,
            "sent": 0,
        }

    with app.app_context():
        sent_by_workers = sum(report["done"]["sent"] for report in reports)
        leftover = _drain(LoggingTransport(tmp_path / "delivered-parent.log"))
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Journey) == 2 * expected
        assert count(Packet) == expected and count(DocumentVersion) == expected
        # two journeys opened, one submission, its packet rendered and one review per round,
        # each an event
        assert count(Event) == 5 * expected
        outbox = count(OutboxMessage)
        # per round, to the reviewers' mailbox and a receipt for the submission, and the
        # review's mail to the applicant
        assert outbox == 3 * expected
        assert sent_by_workers + leftover == outbox
        assert set(db.session.scalars(select(Job.status))) == {JobStatus.done}
        assert set(db.session.scalars(select(Job.attempts))) == {1}

        delivered = Counter()
        for log in tmp_path.glob("delivered-*.log"):
            delivered.update(log.read_text().split())
        message_ids = set(db.session.scalars(select(OutboxMessage.message_id)))
        assert set(delivered) == message_ids
        assert max(delivered.values()) == 1  # no mail job was claimed twice

        report = verify_chain()
        assert report.ok and report.checked == 5 * expected
        files = check_consistency(get_storage(), referenced_files())
        assert files.is_consistent and files.checked == 2 * expected
        db.session.remove()
        db.engine.dispose()
