"""Fixtures of the audit-chain tests: a journey with every party signed in (decisions_desk)."""

from tests.workflow.decisions_desk import (  # noqa: F401  (fixtures)
    client_for,
    desk,
    desk_storage,
    gateway,
    isv,
)
