"""The page a person sees when someone else acted on the journey first.

It names who acted, what they did and when, says where the journey stands now, and keeps
the text the person had typed, so they can reload and decide again without losing it.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Event, Journey
from workflow.policy import Action, may
from workflow.stages import state_name
from workflow.trail import event_title

#: Form fields whose text is shown back, so a refused comment is not lost.
_TYPED_FIELDS = (("comment", "Your comment"), ("reason", "Your reason"), ("note", "Your note"))


def conflict_page(message: str, journey_id: int | None = None):
    """The 409 page; ``journey_id`` defaults to the one in the request's URL."""
    journey_id = journey_id or (request.view_args or {}).get("journey_id")
    journey = db.session.get(Journey, journey_id) if isinstance(journey_id, int) else None
    latest = None
    if journey is not None and may(current_user, Action.view_journey, journey):
        latest = db.session.scalars(
            select(Event).where(Event.journey_id == journey.id).order_by(Event.id.desc()).limit(1)
        ).first()
    else:
        journey = None
    context = {
        "status": 409,
        "title": "Someone acted first",
        "message": message,
        "conflict": {
            "journey": journey,
            "who": (latest.actor.display_name if latest.actor else "The desk") if latest else "",
            "what": event_title(latest) if latest else "",
            "when": latest.created_at if latest else None,
            "state": state_name(journey.state) if journey else "",
            "reload": url_for("journeys.show", journey_id=journey.id) if journey else "",
            "typed": [
                (label, request.form[name].strip())
                for name, label in _TYPED_FIELDS
                if request.form.get(name, "").strip()
            ],
        },
    }
    return render_template("errors/error.html", **context), 409
