"""Post a message on the current stage's conversation."""

from flask import Blueprint, flash
from flask_login import current_user

from workflow.conversation import panels
from workflow.conversation.forms import MessageForm
from workflow.conversation.operations import AlreadyPosted, post_message
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _
from workflow.journeys.actions import back_to, load_journey, refuse_form
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action
from workflow.web.units import RAISED

bp = Blueprint("conversation", __name__)


@bp.route("/journeys/<int:journey_id>/conversation", methods=["POST"])
@requires_action(Action.post_message, target=journey_of)
def post(journey_id: int):
    journey = load_journey(journey_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form, panels.FORM_KEY)
    try:
        post_message(
            journey, current_user, form.body.data, nonce=form.nonce.data, stage=form.stage.data
        )
    except AlreadyPosted as exc:
        db.session.rollback()
        flash(str(exc.message), "info")
        return back_to(journey_id, "conversation")
    except RAISED:
        db.session.rollback()
        raise
    except DomainError as exc:
        # Refused as a whole (the stage moved on, the journey ended): the page shows the form
        # again with the text kept and the reason beside it.
        form.body.errors = [*form.body.errors, exc.message]
        return refuse_form(journey_id, form, panels.FORM_KEY)
    db.session.commit()
    flash(_("Message posted. The other side gets it by e-mail."), "success")
    return back_to(journey_id, "conversation")
