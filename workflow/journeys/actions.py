"""View helpers every area uses on a journey: load it, act once, commit once, answer once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, url_for
from flask_login import current_user

from workflow import operations
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _
from workflow.models import Journey
from workflow.retention import ensure_file_kept
from workflow.storage_setup import get_storage
from workflow.web.units import RAISED, run_aftermath


def load_journey(journey_id: int) -> Journey:
    return operations.get_journey_for(current_user, journey_id)


def back_to(journey_id: int, anchor: str = ""):
    return redirect(url_for("journeys.show", journey_id=journey_id, _anchor=anchor or None))


def refuse_form(journey_id: int, form, key: str = "", refusal: DomainError | None = None):
    """The journey page again, as a 400, with the form's errors named; nothing is saved.

    With a ``key``, the panel that shows the form finds it again (:func:`submitted_form`), so
    what was typed stays in the fields next to its errors. A domain ``refusal`` (the form was
    valid but the operation said no) is kept on the form as ``form.refusal`` and its message
    among ``form.form_errors``, so the panel can show it beside the form.
    """
    from workflow.journeys.views import show  # the page every area's forms live on

    db.session.rollback()
    if refusal is not None:
        form.refusal = refusal
        form.form_errors.append(refusal.message)
        flash(str(refusal.message), "error")
    else:
        flash(_("Nothing was saved. %(problems)s", problems=form.error_summary()), "error")
    if key:
        g.setdefault("submitted_forms", {})[key] = form
    return show(journey_id), 400


def submitted_form(key: str):
    """The form this request refused under ``key`` (see :func:`refuse_form`), if any."""
    return g.get("submitted_forms", {}).get(key)


def act(
    journey_id: int,
    operation: Callable[[Journey], Any],
    done: str | Callable[[Any], str],
    anchor: str = "",
    *,
    form=None,
    key: str = "",
    then: Callable[[Any], Any] | None = None,
):
    """The unit of work of a journey-page view: parse, act, commit, flash, then answer.

    With a ``form``, it is validated first; an invalid form, or an operation that refuses,
    re-renders the journey page as a 400 with the form kept under ``key`` (see
    :func:`refuse_form`), so what was typed stays beside its errors. Without one (a plain
    button), a refusal is flashed and the page reloaded. On success the unit commits, flashes
    ``done`` (or ``done(result)``) and redirects to the page at ``anchor``, or answers
    ``then(result)`` (a page elsewhere, such as a journey the operation started).

    A conflict, a missing record or a refused permission is raised: each has its own page.
    """
    if form is not None and not form.validate_on_submit():
        return refuse_form(journey_id, form, key)
    journey = load_journey(journey_id)
    try:
        result = operation(journey)
    except DomainError as exc:
        db.session.rollback()
        run_aftermath(exc)
        if isinstance(exc, RAISED):
            raise
        if form is not None:
            return refuse_form(journey_id, form, key, refusal=exc)
        flash(str(exc.message), "error")
        return back_to(journey_id, anchor)
    db.session.commit()
    flash(str(done(result) if callable(done) else done), "success")
    return then(result) if then is not None else back_to(journey_id, anchor)


def send_journey_file(journey_id: int, model, row_id: int, *, filename: str, content_type: str):
    """Download a file that a row of ``model`` (with journey_id and file_id) records.

    Anything not on this journey, or without a file, is simply not found.
    """
    journey = load_journey(journey_id)
    row = db.session.get(model, row_id)
    if row is None or row.journey_id != journey.id:
        raise NotFound(_("No such file."))
    return get_storage().download_response(
        ensure_file_kept(row), filename=row.filename or filename, content_type=content_type
    )
