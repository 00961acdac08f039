"""The worker loop behind ``flask worker`` and ``flask outbox send --loop``.

Each round first queues the current period's job of every periodic kind it serves (reminders),
so a periodic job needs no cron.

It never stops on a transient error. When the database goes away it keeps the claims it holds,
backs off, and carries on with them when the database is back. When a job kind's outside
service (SMTP) goes away, that kind pauses with a growing delay while the other kinds go on.
Each outage is logged once when it begins and once when it ends, never once per try.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Collection

from sqlalchemy.exc import SQLAlchemyError

from workflow.jobs.faults import Outage, is_database_outage
from workflow.jobs.queue import schedule_periodic
from workflow.jobs.registry import JobRegistry
from workflow.jobs.runner import RunResult, reset_session, run_due

log = logging.getLogger(__name__)


class _Stopped(Exception):
    def __init__(self, status: int):
        self.status = status


class Worker:
    def __init__(
        self,
        registry: JobRegistry,
        kinds: Collection[str],
        *,
        interval: float = 5.0,
        limit: int = 50,
        stop: threading.Event | None = None,
        report: Callable[[RunResult], None] = lambda result: None,
        longest_backoff: float = 30.0,
    ):
        self.registry, self.kinds = registry, list(kinds)
        self.interval, self.limit, self.report = interval, limit, report
        self.stop = stop or threading.Event()
        self.longest_backoff = longest_backoff
        self.database = Outage("database", log, longest=longest_backoff)
        #: Kinds whose service is down, and when each may be tried again (monotonic time).
        self.services: dict[str, Outage] = {}
        self.paused_until: dict[str, float] = {}

    def run(self, *, once: bool = False) -> int:
        """Rounds until stopped (or one round with ``once``); the exit status."""
        while True:
            try:
                result = self.round(once=once)
            except _Stopped as stopped:
                return stopped.status
            if once:
                return 0
            busy = result.claimed >= self.limit and not result.unavailable
            if not (busy and not self.stop.is_set()) and self.stop.wait(self._pause()):
                return 0

    def round(self, *, once: bool = False) -> RunResult:
        now = time.monotonic()
        active = [k for k in self.kinds if self.paused_until.get(k, 0.0) <= now]
        healthy = [k for k in active if k not in self.services]
        probing = [k for k in active if k in self.services]  # one job tells if it is back
        result = RunResult()
        for kinds, limit in ((healthy, self.limit), (probing, 1)):
            if kinds:
                _add(result, self._run(kinds, limit, once=once))
        self._note_services(result)
        if result.done or result.retried or result.failed or result.lost or once:
            self.report(result)
        return result

    def _run(self, kinds: list[str], limit: int, *, once: bool) -> RunResult:
        def wait_for_database(exc: BaseException) -> None:
            self._back_off(self.database.failed(exc), once=once)

        while True:
            try:
                schedule_periodic(self.registry, kinds)
                result = run_due(
                    self.registry, kinds=kinds, limit=limit, wait_for_database=wait_for_database
                )
            except _Stopped:
                raise
            except Exception as exc:
                if not (isinstance(exc, SQLAlchemyError) or is_database_outage(exc)):
                    raise
                reset_session()
                self._back_off(self.database.failed(exc), once=once)
                continue
            self.database.recovered()
            return result

    def _back_off(self, delay: float, *, once: bool) -> None:
        if once:
            raise _Stopped(1)
        if self.stop.wait(delay):
            raise _Stopped(0)

    def _note_services(self, result: RunResult) -> None:
        for kind in result.succeeded:
            outage = self.services.pop(kind, None)
            if outage is not None:
                outage.recovered()
                self.paused_until.pop(kind, None)
        for kind, exc in result.unavailable.items():
            outage = self.services.get(kind)
            if outage is None:
                name = f"{exc.service} (for {kind} jobs)"
                outage = self.services[kind] = Outage(name, log, longest=self.longest_backoff)
            self.paused_until[kind] = time.monotonic() + outage.failed(exc.reason)

    def _pause(self) -> float:
        if not self.paused_until:
            return self.interval
        soonest = min(self.paused_until.values()) - time.monotonic()
        return max(0.0, min(self.interval, soonest))


def _add(total: RunResult, part: RunResult) -> None:
    for name in ("done", "retried", "failed", "lost", "deferred"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.unavailable.update(part.unavailable)
    total.succeeded |= part.succeeded


def log_to_stderr() -> None:
    """Outage lines reach the worker's stderr when nothing else configured logging."""
    if logging.root.handlers or logging.getLogger("workflow").handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("workflow")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
