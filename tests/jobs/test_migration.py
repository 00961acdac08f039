"""Migration 0007 moves the outbox's delivery state into mail jobs, and back on downgrade."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from tests.support import desk_config
from workflow.extensions import db

OUTBOX_ROWS = [
    # id, status, attempts, next_attempt_at, last_error, sent_at
    (1, "pending", 0, "2026-01-01 10:00:00.000000", "", None),
    (2, "sending", 1, "2026-01-01 10:10:00.000000", "", None),
    (3, "sent", 1, "2026-01-01 09:00:00.000000", "", "2026-01-01 09:00:05.000000"),
    (4, "failed", 8, "2026-01-01 08:00:00.000000", "SMTPServerDisconnected: gone", None),
]


def test_outbox_rows_become_mail_jobs(tmp_path):
    app = create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'migrate.sqlite3'}"))
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            for row in OUTBOX_ROWS:
                conn.execute(
                    text(
                        "INSERT INTO outbox (id, message_id, to_addr, subject, body, status, "
                        "attempts, next_attempt_at, last_error, created_at, sent_at) VALUES "
                        "(:id, :mid, 'a@example.com', 's', 'b', :status, :attempts, :due, "
                        ":error, '2026-01-01 07:00:00.000000', :sent)"
                    ),
                    dict(
                        zip(("id", "status", "attempts", "due", "error", "sent"), row, strict=True)
                    )
                    | {"mid": f"<{row[0]}@test>"},
                )
        upgrade()
        with db.engine.connect() as conn:
            jobs = conn.execute(
                text(
                    "SELECT outbox.id, jobs.kind, jobs.status, jobs.attempts, jobs.run_after, "
                    "jobs.leased_until, jobs.last_error, jobs.finished_at, jobs.dedupe_key "
                    "FROM outbox JOIN jobs ON jobs.id = outbox.job_id ORDER BY outbox.id"
                )
            ).all()
        assert [(j[0], j[1], j[2], j[3]) for j in jobs] == [
            (1, "mail", "pending", 0),
            (2, "mail", "running", 1),
            (3, "mail", "done", 1),
            (4, "mail", "failed", 8),
        ]
        assert jobs[1].leased_until.startswith("2026-01-01 10:10:00")
        assert jobs[2].finished_at.startswith("2026-01-01 09:00:05")
        assert jobs[3].last_error == "SMTPServerDisconnected: gone"
        assert [j.dedupe_key for j in jobs] == ["mail:1", "mail:2", "mail:3", "mail:4"]

        downgrade(revision="0006")
        with db.engine.connect() as conn:
            back = conn.execute(
                text("SELECT id, status, attempts, last_error FROM outbox ORDER BY id")
            ).all()
        assert [tuple(r) for r in back] == [(r[0], r[1], r[2], r[4]) for r in OUTBOX_ROWS]
        db.session.remove()
        db.engine.dispose()
