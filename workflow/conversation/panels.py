"""The journey-page panel of the stages' conversations, just above the stage's decision."""

from __future__ import annotations

import secrets

from workflow.conversation.forms import MessageForm
from workflow.conversation.operations import conversations_of
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import panel
from workflow.models import Journey, User
from workflow.policy import Action, may

#: The key a refused message form is kept under, so the page shows what was typed.
FORM_KEY = "conversation"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


# Last among the panels: the "Next steps" decision follows it on the page.
@panel("conversation/panel.html", order=95)
def conversation_panel(journey: Journey, user: User) -> dict | None:
    if not may(user, Action.read_conversation, journey):
        return None
    conversations = conversations_of(user, journey)
    current = next((c for c in conversations if c.is_open), None)
    may_post = current is not None and may(user, Action.post_message, journey)
    return {
        "current": current,
        "earlier": [c for c in conversations if not c.is_open],
        "may_post": may_post,
        # An applicant who may read but has not confirmed their address yet is told why.
        "must_confirm": current is not None and not may_post and not user.is_email_verified,
        "form": submitted_form(FORM_KEY) or MessageForm(formdata=None),
        "nonce": new_nonce(),
        "is_staff": user.is_staff,
    }
