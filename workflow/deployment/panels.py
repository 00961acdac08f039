"""The journey-page panel of stage 4: every stage form, editable where its state allows."""

from __future__ import annotations

from sqlalchemy import select

from workflow.deployment.forms import stage_form_class
from workflow.deployment.operations import form_action, latest_form
from workflow.deployment.specs import SPECS, earlier_values, labelled_values
from workflow.enablement.documents import FieldChange
from workflow.extensions import db
from workflow.i18n import _, ngettext
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import Finding, panel
from workflow.models import Event, FormKind, Journey, StageForm, User
from workflow.policy import REVIEWER_EVENTS, may


def deployment_summary(p: dict) -> list[Finding]:
    """Which stage forms are on file, what changed since the last decision, the exemption."""
    saved = [f["spec"].title for f in p["forms"] if f["current"] is not None]
    missing = [f["spec"].title for f in p["forms"] if f["current"] is None]
    lines: list[Finding] = []
    if saved:
        lines.append(("ok", _("On file: %(forms)s", forms=_(", ").join(str(t) for t in saved))))
    if missing:
        missing_forms = _(", ").join(str(t) for t in missing)
        lines.append(("warn", _("Not filled in: %(forms)s", forms=missing_forms)))
    for f in p["forms"]:
        if f["changes"]:
            text = ngettext(
                "%(form)s: %(num)d field changed since the last decision (%(fields)s)",
                "%(form)s: %(num)d fields changed since the last decision (%(fields)s)",
                len(f["changes"]),
                form=f["spec"].title,
                fields=_(", ").join(str(c.label) for c in f["changes"]),
            )
            lines.append(("warn", text))
    if p["exemption_refused"]:
        lines.append(("fail", _("Own-server exemption refused earlier")))
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
                    "changes": form_changes(journey, spec.kind, current) if user.is_staff else [],
                }
            )
    if not forms:
        return None
    return {"forms": forms, **exemption_outcome(journey)}


def _last_review(journey: Journey) -> Event | None:
    """The reviewer's last step on the journey (approve, request changes, …)."""
    return next((e for e in reversed(journey.events) if e.event in REVIEWER_EVENTS), None)


def form_changes(journey: Journey, kind: FormKind, current: StageForm | None) -> list[FieldChange]:
    """Fields of the ``kind`` form that differ from the version on file at the reviewer's last
    step, label by label; nothing when there was none or it is the same row."""
    review = _last_review(journey)
    if current is None or review is None:
        return []
    forms = journey.preloaded("stage_forms")
    if forms is None:
        forms = db.session.scalars(
            select(StageForm)
            .where(StageForm.journey_id == journey.id, StageForm.kind == kind)
            .order_by(StageForm.id)
        ).all()
    before = [f for f in forms if f.kind == kind and f.created_at <= review.created_at]
    if not before or before[-1].id == current.id:
        return []
    old, new = (
        dict(labelled_values(kind, before[-1].data or {})),
        dict(labelled_values(kind, current.data or {})),
    )
    if before[-1].file_id or current.file_id:
        uploaded = _("Uploaded document")
        old.setdefault(uploaded, before[-1].filename or "")
        new.setdefault(uploaded, current.filename or "")
    labels = list(dict.fromkeys([*new, *old]))
    return [
        FieldChange(label, old.get(label, ""), new.get(label, ""))
        for label in labels
        if old.get(label, "") != new.get(label, "")
    ]


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
