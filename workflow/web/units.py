"""One unit of work for a view: run an operation, commit once, and say how it went.

Every view that changes data runs its operation through :func:`run_unit`. A refusal the user can
act on is rolled back and flashed; what a refusal still has to do (``DomainError.aftermath``) is
committed on its own; a conflict, a missing record or a refused permission is raised, since each
has its own error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash

from workflow.errors import ConcurrentChange, DomainError, NotFound, NotPermitted
from workflow.extensions import db

#: Refusals with an error page of their own rather than a flashed message.
RAISED = (ConcurrentChange, NotFound, NotPermitted)


def run_aftermath(exc: DomainError) -> None:
    """Commit what a refusal still has to do, once the refused work is rolled back."""
    if exc.aftermath is not None:
        exc.aftermath()
        db.session.commit()


def run_unit(operation: Callable[[], Any], done: str | Callable[[Any], str]) -> tuple[bool, Any]:
    """Run ``operation``; on success commit and flash ``done`` (or ``done(result)``).

    Returns ``(True, result)`` when it committed and ``(False, None)`` when it was refused.
    """
    try:
        result = operation()
    except DomainError as exc:
        db.session.rollback()
        run_aftermath(exc)
        if isinstance(exc, RAISED):
            raise
        flash(exc.message, "error")
        return False, None
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return True, result
