"""A new journey from a rejected one, started by the applicant or by an admin for them."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from workflow.continuation import panels  # noqa: F401  (register the panel)
from workflow.continuation.forms import ContinueForm
from workflow.continuation.operations import continue_journey
from workflow.errors import ConcurrentChange, DomainError, NotFound, NotPermitted
from workflow.extensions import db
from workflow.journeys.actions import back_to, load_journey
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action

bp = Blueprint("continuation", __name__)


@bp.route("/journeys/<int:journey_id>/continue", methods=["POST"])
@requires_action(Action.continue_journey, target=journey_of)
def continue_rejected(journey_id: int):
    rejected = load_journey(journey_id)
    form = ContinueForm()
    if not form.validate_on_submit():
        flash("; ".join(f"{form[n].label.text}: {e[0]}" for n, e in form.errors.items()), "error")
        return back_to(journey_id, "continuation")
    try:
        journey = continue_journey(
            rejected, current_user, carry=form.carry.data or [], reason=form.reason.data or ""
        )
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, ConcurrentChange | NotFound | NotPermitted):
            raise
        flash(exc.message, "error")
        return back_to(journey_id, "continuation")
    db.session.commit()
    flash(f"Journey #{journey.id} continues rejected journey #{rejected.id}.", "success")
    return redirect(url_for("journeys.show", journey_id=journey.id))
