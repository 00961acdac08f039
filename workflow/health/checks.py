"""What ``/healthz`` checks: each part answers ``None`` when sound, or a short reason.

Reasons name the part and the kind of failure only (an exception's class, a revision, an age);
never a URL, a path, a host or a message that could carry one.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from workflow.extensions import db
from workflow.jobs import oldest_due_at
from workflow.models.base import utcnow
from workflow.storage_setup import get_storage

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
PROBE = b"healthz probe\n"


@cache
def code_head() -> str | None:
    """The newest revision in the migrations directory, which the database must be at."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def check_database() -> str | None:
    db.session.execute(db.text("SELECT 1"))
    return None


def check_migrations() -> str | None:
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    if current != code_head():
        return f"database at revision {current or 'none'}, code at {code_head()}"
    return None


def check_storage() -> str | None:
    storage = get_storage()
    stored = storage.save(io.BytesIO(PROBE), content_type="text/plain")
    try:
        with storage.open(stored.file_id) as fh:
            if fh.read() != PROBE:
                return "the probe object read back differs from what was written"
    finally:
        storage.delete(stored.file_id)
    return None


def check_jobs() -> str | None:
    now = utcnow()
    since = oldest_due_at(now)
    limit = current_app.config["HEALTH_JOB_DELAY_SECONDS"]
    if since is not None and (waited := (now - since).total_seconds()) > limit:
        return f"the oldest due job has waited {waited:.0f} s (limit {limit} s)"
    return None


#: In order; a part is not checked when a part it needs is not sound.
CHECKS: tuple[tuple[str, Callable[[], str | None]], ...] = (
    ("database", check_database),
    ("migrations", check_migrations),
    ("storage", check_storage),
    ("jobs", check_jobs),
)
NEEDS = {"migrations": ("database",), "jobs": ("database", "migrations")}


def run_checks() -> dict[str, str]:
    """``{"database": "ok", "storage": "failing: OSError", …}`` for every part."""
    results: dict[str, str] = {}
    for name, check in CHECKS:
        unsound = [part for part in NEEDS.get(name, ()) if results.get(part) != "ok"]
        if unsound:
            results[name] = f"unknown: needs {' and '.join(unsound)}"
            continue
        try:
            reason = check()
        except Exception as exc:
            log.warning("health check %s failed", name, exc_info=True)
            db.session.rollback()
            reason = f"{type(exc).__name__}"
        results[name] = "ok" if reason is None else f"failing: {reason}"
    db.session.rollback()
    return results
