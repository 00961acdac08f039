"""View helpers shared by the stage 2–5 blueprints: load, act, commit once, redirect."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for
from flask_login import current_user

from workflow import operations
from workflow.errors import ConcurrentChange, DomainError, NotFound
from workflow.extensions import db
from workflow.models import Journey


def load_journey(journey_id: int) -> Journey:
    return operations.get_journey_for(current_user, journey_id)


def back_to(journey_id: int, anchor: str = ""):
    return redirect(url_for("journeys.show", journey_id=journey_id, _anchor=anchor or None))


def act(journey_id: int, operation: Callable[[Journey], object], done: str, anchor: str = ""):
    """Run one operation on the journey; commit on success, flash its message on failure."""
    journey = load_journey(journey_id)
    try:
        operation(journey)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, ConcurrentChange | NotFound):
            raise
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return back_to(journey_id, anchor)
