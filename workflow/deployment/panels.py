"""The journey-page panel of stage 4: every stage form, editable where its state allows."""

from __future__ import annotations

from sqlalchemy import select

from workflow.deployment.forms import stage_form_class
from workflow.deployment.operations import form_action, latest_form
from workflow.deployment.specs import SPECS, earlier_values, labelled_values
from workflow.extensions import db
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import Finding, panel
from workflow.models import Event, Journey, User
from workflow.policy import may


def deployment_summary(p: dict) -> list[Finding]:
    """Which stage forms are on file, and the exemption's outcome."""
    saved = [f["spec"].title for f in p["forms"] if f["current"] is not None]
    missing = [f["spec"].title for f in p["forms"] if f["current"] is None]
    lines: list[Finding] = []
    if saved:
        lines.append(("ok", "On file: " + ", ".join(saved)))
    if missing:
        lines.append(("warn", "Not filled in: " + ", ".join(missing)))
    if p["exemption_refused"]:
        lines.append(("fail", "Own-server exemption refused earlier"))
    return lines


@panel("deployment/panel.html", order=40, stage="4", summary=deployment_summary)
def deployment_panel(journey: Journey, user: User) -> dict | None:
    forms = []
    for spec in SPECS.values():
        current = latest_form(journey, spec.kind)
        editable = journey.state in spec.states and may(user, form_action(spec.kind), journey)
        if current is not None or editable:
            data = (current.data or {}) if current is not None else {}
            form = None
            if editable:
                form = submitted_form(f"stage-{spec.kind.value}") or stage_form_class(spec.kind)(
                    formdata=None, data=data
                )
            forms.append(
                {
                    "spec": spec,
                    "current": current,
                    "rows": labelled_values(spec.kind, data),
                    "earlier": earlier_values(spec.kind, data),
                    "editable": editable,
                    "form": form,
                }
            )
    if not forms:
        return None
    return {"forms": forms, **exemption_outcome(journey)}


_EXEMPTION_DECISIONS = ("approve", "refuse_exemption")


def _decides_exemption(event: Event) -> bool:
    return event.from_state == "exemption_submitted" and event.event in _EXEMPTION_DECISIONS


def exemption_outcome(journey: Journey) -> dict:
    """Whether the own-server exemption was approved, or refused with the reviewer's reason."""
    events = journey.preloaded("events")
    if events is not None:
        decided = next((e for e in reversed(events) if _decides_exemption(e)), None)
    else:
        decided = db.session.scalars(
            select(Event)
            .where(
                Event.journey_id == journey.id,
                Event.from_state == "exemption_submitted",
                Event.event.in_(_EXEMPTION_DECISIONS),
            )
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
    approved = decided is not None and decided.event == "approve"
    return {
        "is_exempt": approved,
        "exemption_refused": decided if decided is not None and not approved else None,
    }
