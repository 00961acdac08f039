"""Alembic environment: runs migrations on the app's own engine and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from workflow.database import set_sqlite_foreign_keys
from workflow.models.base import UTCDateTime

config = context.config
if config.config_file_name and not current_app.testing:
    fileConfig(config.config_file_name)
log = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", database.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def render_item(kind, obj, autogen_context):
    """Write the plain column type for the app's UTC wrapper, so migrations import nothing."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=database.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # Migrations run on a connection of their own. An open transaction in the app's session
    # (from reads before `upgrade()` in the same app context) would hold SQLite's write lock,
    # or PostgreSQL's table locks, and stall them: end it first.
    database.session.remove()
    with database.engine.connect() as connection:
        # Batch mode rebuilds SQLite tables (copy, drop, rename), which foreign keys would stop.
        set_sqlite_foreign_keys(connection, False)
        try:
            context.configure(
                connection=connection,
                target_metadata=database.metadata,
                render_item=render_item,
                render_as_batch=True,
                process_revision_directives=skip_empty_autogenerate,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            set_sqlite_foreign_keys(connection, True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
