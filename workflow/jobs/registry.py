"""Job kinds are registered by name, explicitly, in ``create_app``: kind name -> handler.

A handler is called with the claimed :class:`~workflow.models.Job` inside the transaction that
will mark the job done, so whatever it writes to the database commits together with that mark
(once), or not at all. Its docstring must state its effect rule: what it changes inside the
database, and what it does outside it (SMTP, HTTP), which can only be at least once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from workflow.models import Job

#: Tries before a job is failed for an operator to requeue.
DEFAULT_MAX_ATTEMPTS = 8


class UnknownJobKind(LookupError):
    def __init__(self, name: str):
        super().__init__(f"no job kind {name!r} is registered")
        self.name = name


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Callable[[Job], None]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    #: A periodic kind: ``flask worker`` queues one job of it per period of this length
    #: (``workflow.jobs.queue.schedule_periodic``); nothing else needs to queue it.
    every: timedelta | None = None


class JobRegistry:
    def __init__(self, kinds: Iterable[JobKind] = ()):
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: JobKind) -> JobKind:
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} is registered twice")
        doc = inspect.getdoc(kind.handler) or ""
        if "effect" not in doc.lower():
            raise ValueError(f"the handler of job kind {kind.name!r} must state its effect rule")
        self._kinds[kind.name] = kind
        return kind

    def unregister(self, name: str) -> None:
        self._kinds.pop(name, None)

    def get(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownJobKind(name) from None

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def periodic(self, names: Iterable[str] | None = None) -> list[JobKind]:
        """The periodic kinds (of ``names``, if given), by name."""
        wanted = set(self._kinds if names is None else names)
        return [k for n, k in sorted(self._kinds.items()) if k.every is not None and n in wanted]

    def __contains__(self, name: object) -> bool:
        return name in self._kinds


def app_registry() -> JobRegistry:
    """The registry ``create_app`` filled for the current app."""
    return current_app.extensions["jobs"]
