"""Migration 0014 on data written at 0013: accounts keep their kind and the partial unique index
on verified taobao account IDs, the database refuses a kind the desk does not know, and APPs
start with the sandbox recommended, not required."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from app import create_app
from tests.support import desk_config
from workflow.extensions import db

BEFORE = "0016"
T0 = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def old_app(tmp_path):
    return create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}"))


def _insert_account(conn, account_id: int, kind: str, key: str, verified: bool) -> None:
    conn.execute(
        text(
            "INSERT INTO accounts (id, kind, name, taobao_account_id, taobao_account_key, "
            "taobao_verified_at, created_at) VALUES (:id, :kind, 'A', :key, :key, :verified, :at)"
        ),
        {
            "id": account_id,
            "kind": kind,
            "key": key,
            "verified": T0 if verified else None,
            "at": T0,
        },
    )


def test_kinds_are_checked_and_the_verified_id_stays_unique(old_app):
    from flask_migrate import downgrade, upgrade

    with old_app.app_context():
        db.session.remove()
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _insert_account(conn, 1, "isv", "old_isv", verified=True)
            _insert_account(conn, 2, "seller", "old_seller", verified=False)
        db.session.remove()
        upgrade()
        with db.engine.begin() as conn:
            kinds = conn.execute(text("SELECT kind FROM accounts ORDER BY id")).scalars().all()
            assert kinds == ["isv", "seller"]
            _insert_account(conn, 3, "tp", "new_tp", verified=False)
            _insert_account(conn, 4, "isv", "old_isv", verified=False)  # a claim, allowed
            columns = {c["name"] for c in sa.inspect(conn).get_columns("apps")}
            assert {"is_sandbox_required", "sandbox_required_reason"} <= columns
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _insert_account(conn, 5, "agency", "someone", verified=False)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _insert_account(conn, 6, "tp", "old_isv", verified=True)  # verified twice
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, kind FROM accounts ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "isv"), (2, "seller"), (3, "isv"), (4, "isv")]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("apps")}
            assert "is_sandbox_required" not in columns
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            _insert_account(conn, 7, "seller", "old_isv", verified=True)
