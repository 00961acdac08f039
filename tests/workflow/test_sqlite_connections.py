"""Every SQLite connection: WAL, a busy timeout, foreign keys; writers begin IMMEDIATE so a
read-then-write transaction never fails on a stale snapshot; GET requests take no lock.

These are about SQLite, so they use an SQLite file of their own on both CI passes.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from app import create_app
from tests.support import desk_config
from workflow.database import reading_only
from workflow.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    path = tmp_path / "desk.sqlite3"
    config = desk_config(tmp_path, f"sqlite:///{path}") | {"SQLITE_BUSY_TIMEOUT_SECONDS": 1}
    app = create_app(config)
    with app.app_context():
        upgrade()
        db.session.remove()
        yield app, path
        db.session.remove()
        db.engine.dispose()


def test_every_connection_is_wal_with_a_busy_timeout_and_foreign_keys(sqlite_app):
    with reading_only(), db.engine.connect() as first, db.engine.connect() as second:
        for conn in (first, second):
            pragmas = [
                conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            ]
            assert pragmas == ["wal", 1000, 1]


def test_foreign_keys_are_enforced(sqlite_app):
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox (message_id, to_addr, subject, body, job_id, created_at)"
                " VALUES ('<x@test>', 'a@example.com', 's', 'b', 424242, '2026-01-01')"
            )
        )


def _bump(conn, name: str) -> None:
    value = conn.execute(text("SELECT count(*) FROM accounts")).scalar()
    conn.execute(
        text(
            "INSERT INTO accounts"
            " (kind, name, taobao_account_id, taobao_account_key, created_at) "
            "VALUES ('seller', :name, :name, :name, '2026-01-01')"
        ),
        {"name": f"{name}-{value}"},
    )


def test_a_deferred_read_then_write_fails_at_once_whatever_the_timeout(sqlite_app):
    """The pitfall the desk avoids, shown with plain sqlite3 and a 5 s busy timeout."""
    _, path = sqlite_app
    reader = sqlite3.connect(path, timeout=5, isolation_level=None)
    writer = sqlite3.connect(path, timeout=5, isolation_level=None)
    reader.execute("BEGIN DEFERRED")
    reader.execute("SELECT count(*) FROM accounts").fetchone()
    writer.execute(
        "INSERT INTO accounts"
        " (kind, name, taobao_account_id, taobao_account_key, created_at) "
        "VALUES ('seller', 'w', 'w', 'w', '2026-01-01')"
    )
    began = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        reader.execute(
            "INSERT INTO accounts"
            " (kind, name, taobao_account_id, taobao_account_key, created_at) "
            "VALUES ('seller', 'r', 'r', 'r', '2026-01-01')"
        )
    # No waiting for the 5 s busy timeout: the snapshot is stale, not busy.
    assert time.monotonic() - began < 4
    reader.close()
    writer.close()


def test_writers_that_read_first_queue_for_the_lock_and_both_land(sqlite_app):
    first_has_read = threading.Event()
    errors = []
    engine = db.engine

    def second_writer():
        first_has_read.wait(5)
        try:
            with engine.begin() as conn:  # waits for the first writer's lock
                _bump(conn, "second")
        except Exception as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=second_writer)
    thread.start()
    with db.engine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM accounts")).scalar()
        first_has_read.set()
        time.sleep(0.2)  # the second writer is waiting now
        _bump(conn, "first")
    thread.join(5)
    assert errors == []
    with db.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM accounts")).scalars())
    assert names == {"first-0", "second-1"}


def test_a_reader_holds_up_no_writer_but_a_writer_waits_out_the_busy_timeout(sqlite_app):
    with reading_only(), db.engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM accounts")).scalar()  # a long page view
        with db.engine.begin() as conn:
            _bump(conn, "while-reading")
    with db.engine.connect() as holder:
        holder.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds the write lock
        began = time.monotonic()
        with (
            pytest.raises(OperationalError, match="database is locked"),
            db.engine.begin() as conn,
        ):
            _bump(conn, "blocked")
        # It waited out SQLITE_BUSY_TIMEOUT_SECONDS = 1, then gave up (not forever).
        assert 0.9 <= time.monotonic() - began < 10


def test_get_requests_begin_deferred_and_posts_immediate(sqlite_app):
    app, _ = sqlite_app
    begun = []

    def record(conn, cursor, statement, *_):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    db.event.listen(db.engine, "before_cursor_execute", record)
    try:
        client = app.test_client()
        client.get("/login")
        client.get("/healthz")
        client.post("/login", data={"email": "nobody@example.com", "password": "x"})
        db.session.remove()
    finally:
        db.event.remove(db.engine, "before_cursor_execute", record)
    assert begun and begun[0] == "BEGIN DEFERRED"
    assert begun[-1] == "BEGIN IMMEDIATE"
