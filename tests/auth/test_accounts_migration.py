"""Migration 0011 on data written at 0010: people who used the desk before keep working, and
an enabled account's taobao account ID is verified while the rest are claims."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from app import create_app
from tests.support import desk_config
from workflow.extensions import db

BEFORE = "0010"
T0 = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
T1 = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def old_app(tmp_path):
    return create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}"))


def _table(conn, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def test_existing_users_are_verified_and_enabled_accounts_hold_their_id(old_app):
    from flask_migrate import downgrade, upgrade

    with old_app.app_context():
        db.session.remove()
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            accounts, users = _table(conn, "accounts"), _table(conn, "users")
            conn.execute(
                accounts.insert(),
                [
                    {"id": 1, "kind": "isv", "name": "Old", "taobao_account_id": "ＯＬＤ_Shop",
                     "created_at": T0, "enabled_at": T1},
                    {"id": 2, "kind": "seller", "name": "New", "taobao_account_id": "new_shop",
                     "created_at": T0, "enabled_at": None},
                ],
            )  # fmt: skip
            conn.execute(
                users.insert().values(
                    id=1, email="old@example.com", name="", password_hash="x", role="applicant",
                    account_id=1, is_active_user=True, session_token="t", created_at=T0,
                )
            )  # fmt: skip
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, taobao_account_key, taobao_verified_at FROM accounts ORDER BY id")
            ).all()
            assert [(r[0], r[1], r[2] is not None) for r in rows] == [
                (1, "old_shop", True),
                (2, "new_shop", False),
            ]
            verified = conn.execute(text("SELECT email_verified_at FROM users")).scalar()
            assert verified is not None
        with db.engine.begin() as conn:  # a second claim of a verified ID is allowed now
            conn.execute(
                _table(conn, "accounts").insert().values(
                    kind="isv", name="Claim", taobao_account_id="old_shop",
                    taobao_account_key="old_shop", created_at=T0,
                )
            )  # fmt: skip
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE accounts SET taobao_verified_at = enabled_at WHERE id = 3"))
            conn.execute(text("UPDATE accounts SET taobao_verified_at = created_at WHERE id = 3"))
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM accounts WHERE id = 3"))
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("users")}
            assert "email_verified_at" not in columns
