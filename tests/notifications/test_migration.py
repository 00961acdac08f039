"""Migration 0020 adds the preference and sent-reminder tables, and takes them away again."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from tests.support import desk_config
from workflow.extensions import db


def test_preferences_and_sent_reminders_come_and_go(tmp_path):
    app = create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'migrate.sqlite3'}"))
    with app.app_context():
        upgrade(revision="0020")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, is_active_user, "
                    "session_token, created_at) VALUES (1, 'r@example.com', '', 'x', 'reviewer', "
                    "1, 't', '2026-01-01 00:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO notification_preferences (user_id, digest, updated_at) "
                    "VALUES (1, 0, '2026-01-01 00:00:00')"
                )
            )
            row = conn.execute(text("SELECT * FROM notification_preferences")).mappings().one()
            insert = (
                "INSERT INTO sent_reminders (key, kind, mails, sent_at) VALUES (:k, 'x', 0, :t)"
            )
            conn.execute(text(insert), {"k": "digest:1:2026-01-01", "t": "2026-01-01 00:00:00"})
        # Unnamed switches are on, as for a user without a row.
        assert (row["digest"], row["receipt"], row["escalation"]) == (0, 1, 1)
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # one row per period
            conn.execute(text(insert), {"k": "digest:1:2026-01-01", "t": "2026-01-01"})
        downgrade(revision="0019")
        tables = set(inspect(db.engine).get_table_names())
        assert not {"notification_preferences", "sent_reminders"} & tables
        upgrade()
        assert {"notification_preferences", "sent_reminders"} <= set(
            inspect(db.engine).get_table_names()
        )
        db.session.remove()
        db.engine.dispose()
