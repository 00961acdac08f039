"""The journey-page panel of stage 4: every stage form, editable where its state allows."""

from __future__ import annotations

from workflow.deployment.operations import form_action, latest_form
from workflow.deployment.specs import SPECS
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import panel
from workflow.models import FormKind, Journey, User
from workflow.policy import may


@panel("deployment/panel.html", order=40)
def deployment_panel(journey: Journey, user: User) -> dict | None:
    forms = []
    for spec in SPECS.values():
        current = latest_form(journey, spec.kind)
        editable = journey.state in spec.states and may(user, form_action(spec.kind), journey)
        if current is not None or editable:
            typed = submitted_form(f"stage-{spec.kind.value}") if editable else None
            forms.append({"spec": spec, "current": current, "editable": editable, "typed": typed})
    if not forms:
        return None
    exemption = latest_form(journey, FormKind.exemption)
    return {
        "forms": forms,
        "is_exempt": exemption is not None and journey.state in AFTER_DEPLOYMENT,
    }


#: Once here, an exemption on file was approved: the page says so.
AFTER_DEPLOYMENT = frozenset(
    {"deployed", "distribution_setup", "authorization_submitted", "distribution_draft"}
    | {"distribution_submitted", "released"}
)
