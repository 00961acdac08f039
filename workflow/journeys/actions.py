"""View helpers every area uses on a journey: load it, act once, commit once, redirect back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, url_for
from flask_login import current_user

from workflow import operations
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.models import Journey
from workflow.retention import ensure_file_kept
from workflow.storage_setup import get_storage
from workflow.web.units import run_unit


def load_journey(journey_id: int) -> Journey:
    return operations.get_journey_for(current_user, journey_id)


def back_to(journey_id: int, anchor: str = ""):
    return redirect(url_for("journeys.show", journey_id=journey_id, _anchor=anchor or None))


def refuse_form(journey_id: int, form, key: str = ""):
    """The journey page again, as a 400, with the form's errors named; nothing is saved.

    With a ``key``, the panel that shows the form finds it again (:func:`submitted_form`), so
    what was typed stays in the fields next to its errors.
    """
    from workflow.journeys.views import show  # the page every area's forms live on

    db.session.rollback()
    if key:
        g.setdefault("submitted_forms", {})[key] = form
    flash(f"Nothing was saved. {form.error_summary()}", "error")
    return show(journey_id), 400


def submitted_form(key: str):
    """The form this request refused under ``key`` (see :func:`refuse_form`), if any."""
    return g.get("submitted_forms", {}).get(key)


def act(
    journey_id: int,
    operation: Callable[[Journey], Any],
    done: str | Callable[[Any], str],
    anchor: str = "",
):
    """Run one operation on the journey; commit on success, flash its message on failure.

    ``done`` is the success message, or a function of the operation's result that makes it.
    A conflict or a missing record is not a flash: it gets its own error page.
    """
    journey = load_journey(journey_id)
    run_unit(lambda: operation(journey), done)
    return back_to(journey_id, anchor)


def send_journey_file(journey_id: int, model, row_id: int, *, filename: str, content_type: str):
    """Download a file that a row of ``model`` (with journey_id and file_id) records.

    Anything not on this journey, or without a file, is simply not found.
    """
    journey = load_journey(journey_id)
    row = db.session.get(model, row_id)
    if row is None or row.journey_id != journey.id:
        raise NotFound("No such file.")
    return get_storage().download_response(
        ensure_file_kept(row), filename=row.filename or filename, content_type=content_type
    )
