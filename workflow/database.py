"""How the desk talks to SQLite when several processes (web workers, job workers) share a file.

On every connection: WAL journal mode (readers never wait for the writer), a busy timeout (a
writer waits for the lock instead of failing), and foreign keys on.

Transactions begin ``IMMEDIATE``. In WAL mode a deferred transaction that read first and then
writes fails at once with SQLITE_BUSY when another connection committed in between (its snapshot
is stale), and no busy timeout cures that. Taking the write lock at BEGIN makes writers queue
for it instead. Work that only reads (a GET request, see :func:`init_app`) begins deferred
inside :func:`reading_only`, so page views neither wait for writers nor hold them up.

pysqlite's own transaction handling is switched off (``isolation_level = None``) so that the
desk, not the driver, decides where a transaction begins; SAVEPOINTs then work as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_begin = ContextVar("sqlite_begin", default="BEGIN IMMEDIATE")

#: Requests with these methods never write (the desk's GET views only read).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine, *, busy_timeout_seconds: float) -> None:
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = int(busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_begin.get())


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside only read: on SQLite they begin deferred, taking no lock."""
    token = _begin.set("BEGIN DEFERRED")
    try:
        yield
    finally:
        _begin.reset(token)


def init_app(app: Flask) -> None:
    """GET requests read only, so their transaction takes no SQLite write lock."""

    # A URL value preprocessor runs before every ``before_request`` hook, the access gate's
    # too, whose user load begins the request's transaction: as a hook it would come too late,
    # and every GET would take SQLite's write lock for its whole length.
    @app.url_value_preprocessor
    def _reading_requests_take_no_lock(_endpoint, _values):
        if request.method in READING_METHODS:
            g.sqlite_begin_token = _begin.set("BEGIN DEFERRED")

    @app.teardown_request
    def _restore_begin(_exc):
        token = g.pop("sqlite_begin_token", None)
        if token is not None:
            _begin.reset(token)


def set_sqlite_foreign_keys(connection, enabled: bool) -> None:
    """Switch foreign key checks on a connection outside any transaction (migrations)."""
    if connection.dialect.name != "sqlite":
        return
    connection.connection.driver_connection.execute(
        f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}"
    )
