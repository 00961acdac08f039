"""Helpers shared by the fixtures and by tests that build their own app."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event, text

from workflow import audit
from workflow.extensions import db
from workflow.review.search import SQLITE_FTS_TABLES

PASSWORD = "correct horse battery staple"


def require_service(what: str) -> None:
    """A missing server fails the run under CI and skips it on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} is not available here")


def desk_config(base: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_BACKEND": "fs",
        "STORAGE_FS_ROOT": str(base / "files"),
        "MAIL_BACKEND": "file",
        "MAIL_OUTBOX_DIR": str(base / "mail"),
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://desk.test",
        "TOP_DEMO_STAND_INS": True,
        # One app serves the whole suite from one address: request-rate limits would carry
        # over from test to test. tests/workflow/test_rate_limits.py builds apps with them on.
        "RATELIMIT_ENABLED": False,
        # Most tests read a submission's packet right after submitting: render it in the
        # request. tests/packets/test_worker_render.py runs the worker's way.
        "PACKETS_RENDER_INLINE": True,
    }


def reset_schema() -> None:
    """Drop everything, then build the schema through the Alembic migrations."""
    from flask_migrate import upgrade

    db.session.remove()
    with db.engine.begin() as conn:
        db.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if conn.dialect.name == "sqlite":
            for name in SQLITE_FTS_TABLES:  # virtual tables the metadata does not know
                conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    upgrade()


def clear_tables() -> None:
    db.session.rollback()
    db.session.remove()
    names = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f"DELETE FROM {name}"))
    audit.ensure_chain_head()
    db.session.commit()


def database_fingerprint(*, in_transaction: bool = False) -> str:
    """A digest of every row of every table and of every stored object's id: what a refused
    request or operation must leave exactly as it was.

    By default it reads what is committed; ``in_transaction`` reads the session's own
    transaction too (flushed first), to see what an operation did before any commit.
    """
    from workflow.storage_setup import get_storage

    if in_transaction:
        db.session.flush()
    else:
        db.session.rollback()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = sorted(repr(tuple(r)) for r in db.session.execute(table.select()))
        digest.update(f"{table.name}:{len(rows)}:{rows}".encode())
    digest.update(repr(sorted(get_storage().iter_ids())).encode())
    if not in_transaction:
        db.session.rollback()
    return digest.hexdigest()


class OwnUserClient(FlaskClient):
    """A test client that loads its own user on every request.

    Requests in a test share the test's app context, so Flask-Login's cached user in ``g``
    would otherwise leak from one client to the next.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Collect every SQL statement the desk's engine runs inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
