"""Migration 0021 on data written at 0020: the lists in force are indexed, proposals and
replaced lists are not, and the text index holds the rows that were already there."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app import create_app
from tests.support import desk_config
from workflow.extensions import db
from workflow.storage_setup import get_storage

BEFORE = "0020"
T0 = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def old_app(tmp_path):
    return create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}"))


def _seller_list(conn, list_id: int, ids: bytes, *, status: str, in_force: bool) -> None:
    stored = get_storage().save(io.BytesIO(ids), content_type="text/plain")
    conn.execute(
        text(
            "INSERT INTO seller_lists (id, journey_id, kind, file_id, sha256, count, "
            "added_count, removed_count, status, is_in_force, created_at) VALUES (:id, 1, "
            "'authorization', :file, :sha, :count, 0, 0, :status, :in_force, :at)"
        ),
        {"id": list_id, "file": stored.file_id, "sha": stored.sha256, "count": ids.count(b"\n"),
         "status": status, "in_force": in_force, "at": T0},
    )  # fmt: skip


def test_lists_in_force_are_indexed_and_old_rows_are_searchable(old_app):
    from flask_migrate import downgrade, upgrade

    with old_app.app_context():
        db.session.remove()
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, kind, name, taobao_account_id, taobao_account_key, "
                    "created_at) "
                    "VALUES (1, 'isv', 'Hangzhou Old Data Ltd', 'old_tb', 'old_tb', :at)"
                ),
                {"at": T0},
            )
            conn.execute(
                text(
                    "INSERT INTO journeys (id, account_id, state, version_id, created_at, "
                    "state_changed_at) VALUES (1, 1, 'released', 3, :at, :at)"
                ),
                {"at": T0},
            )
            _seller_list(conn, 1, b"1001\n1002\n", status="accepted", in_force=False)
            _seller_list(conn, 2, b"1002\n1003\n", status="accepted", in_force=True)
            _seller_list(conn, 3, b"1004\n", status="pending", in_force=False)
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT journey_id, seller_id FROM in_force_sellers"))
            assert sorted(tuple(r) for r in rows) == [(1, "1002"), (1, "1003")]
            hits = conn.execute(
                text("SELECT rowid FROM accounts_search WHERE accounts_search MATCH '\"old data\"'")
            )
            assert hits.scalars().all() == [1]
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            tables = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
            assert "in_force_sellers" not in tables and "accounts_search" not in tables
            assert not any(name.endswith("_search_insert") for name in tables)
