"""The journey-page panel that links a rejected journey and the one that continues it."""

from __future__ import annotations

from workflow.continuation.operations import CARRY_LABELS, carry_options, rejection_reasons
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import panel
from workflow.models import Journey, Role, User
from workflow.policy import Action, may

#: The key a refused continuation keeps its form under: the reason stays typed.
FORM_KEY = "continue"


@panel("continuation/panel.html", order=5)
def continuation_panel(journey: Journey, user: User) -> dict | None:
    follows = journey.follows
    if journey.state != "rejected" and follows is None:
        return None
    rejected = journey if journey.state == "rejected" else follows
    may_continue = (
        journey.state == "rejected"
        and journey.followed_by is None
        and may(user, Action.continue_journey, journey)
    )
    options = carry_options(journey) if may_continue else []
    return {
        "rejected": rejected,
        "follows": follows,
        "followed_by": journey.followed_by,
        "reasons": rejection_reasons(rejected),
        "may_continue": may_continue,
        "typed": submitted_form(FORM_KEY),
        "on_behalf": user.role is Role.admin,
        "options": [(name, CARRY_LABELS[name]) for name in options],
        "shows_notes": may(user, Action.read_internal_notes, journey),
    }
