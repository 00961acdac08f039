"""What a worker does when something it depends on goes away: tell a transient outage from a
job's own failure, back off, and say so once per outage rather than once per try."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class ServiceUnavailable(Exception):
    """A handler's outside service (an SMTP server, say) cannot be reached just now.

    It is no fault of the job: the job goes back to the queue without spending an attempt, the
    rest of that kind's batch waits too, and the worker backs off before trying the kind again.
    """

    def __init__(self, service: str, reason: BaseException | str):
        self.service = service
        self.reason = reason if isinstance(reason, str) else describe(reason)
        super().__init__(f"{service} unavailable: {self.reason}")


class GiveUp(Exception):
    """The job must not run again by itself (its outside effect may already have happened);
    it is failed at once, whatever attempts it has left, for an operator to look at."""


def describe(exc: BaseException) -> str:
    """One line naming the error without a driver's multi-line detail (or any statement)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:300] if first else type(exc).__name__


def is_database_outage(exc: BaseException) -> bool:
    """True for errors that say the database is away or busy, not that a statement is wrong:
    a refused or reset connection, a server shutting down, SQLite's lock timeout."""
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Outage:
    """One dependency's outage: a warning when it begins, an info line when it ends, and a
    delay before each next try that doubles from ``first`` up to ``longest`` seconds."""

    def __init__(
        self, name: str, log: logging.Logger, *, first: float = 0.5, longest: float = 30.0
    ):
        self.name, self.log, self.first, self.longest = name, log, first, longest
        self.began: float | None = None
        self.tries = 0

    @property
    def ongoing(self) -> bool:
        return self.began is not None

    def failed(self, exc: BaseException | str) -> float:
        """Note a failed try; returns how long to wait before the next one."""
        if self.began is None:
            self.began = time.monotonic()
            reason = exc if isinstance(exc, str) else describe(exc)
            self.log.warning("%s unavailable (%s); retrying with backoff", self.name, reason)
        self.tries += 1
        return min(self.first * 2 ** (self.tries - 1), self.longest)

    def recovered(self) -> None:
        if self.began is None:
            return
        lasted = time.monotonic() - self.began
        self.log.info("%s back after %.1f s and %s tries", self.name, lasted, self.tries)
        self.began, self.tries = None, 0
