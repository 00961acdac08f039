"""The journey-page panel of stage 4: every stage form, editable where its state allows."""

from __future__ import annotations

from workflow.deployment.operations import latest_form
from workflow.deployment.specs import SPECS
from workflow.journeys.panels import panel
from workflow.models import FormKind, Journey, User


@panel("deployment/panel.html", order=40)
def deployment_panel(journey: Journey, user: User) -> dict | None:
    forms = []
    for spec in SPECS.values():
        current = latest_form(journey, spec.kind)
        editable = journey.state in spec.states and spec.by_reviewer == user.is_staff
        if current is not None or editable:
            forms.append({"spec": spec, "current": current, "editable": editable})
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
