"""How the desk talks to SQLite when several processes (web workers, job workers) share a file.

On every connection: WAL journal mode (readers never wait for the writer), a busy timeout (a
writer waits for the lock instead of failing), and foreign keys on. Every transaction begins
``IMMEDIATE``: in WAL mode a deferred transaction that read first and then writes fails at
once with SQLITE_BUSY when another connection committed in between (its snapshot is stale),
and no busy timeout cures that. Taking the write lock at BEGIN makes writers queue instead.
pysqlite's own transaction handling is switched off (``isolation_level = None``) so that the
desk, not the driver, decides where a transaction begins; SAVEPOINTs then work as well.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def set_sqlite_foreign_keys(connection, enabled: bool) -> None:
    """Switch foreign key checks on a connection outside any transaction (migrations)."""
    if connection.dialect.name != "sqlite":
        return
    connection.connection.driver_connection.execute(
        f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}"
    )
