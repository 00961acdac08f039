"""The models of every area, imported here so Alembic and the app see one metadata."""

from workflow.models.accounts import Account, AccountKind, Role, User
from workflow.models.journeys import ChainHead, Event, Journey
from workflow.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "Account",
    "AccountKind",
    "ChainHead",
    "Event",
    "Journey",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "User",
]
