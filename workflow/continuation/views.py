"""A new journey from a rejected one, started by the applicant or by an admin for them."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from workflow.continuation import panels
from workflow.continuation.forms import ContinueForm
from workflow.continuation.operations import continue_journey
from workflow.i18n import _
from workflow.journeys.actions import act
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action

bp = Blueprint("continuation", __name__)


@bp.route("/journeys/<int:journey_id>/continue", methods=["POST"])
@requires_action(Action.continue_journey, target=journey_of)
def continue_rejected(journey_id: int):
    form = ContinueForm()
    return act(
        journey_id,
        lambda rejected: continue_journey(
            rejected, current_user, carry=form.carry.data or [], reason=form.reason.data or ""
        ),
        lambda journey: _(
            "Journey #%(new)d continues rejected journey #%(old)d.",
            new=journey.id,
            old=journey_id,
        ),
        "continuation",
        form=form,
        key=panels.FORM_KEY,
        then=lambda journey: redirect(url_for("journeys.show", journey_id=journey.id)),
    )
