"""The stage-1 panel on the journey page: request form, document slots, reviewer evidence."""

from __future__ import annotations

from typing import Any

from workflow.enablement.claims import other_claims
from workflow.enablement.documents import (
    EDITABLE_STATES,
    ENABLEMENT_STATES,
    SHORT_NAMES,
    document_changes,
    field_changes,
    findings_for,
    history_by_kind,
    passed_documents,
    title,
)
from workflow.enablement.findings import account_id_found
from workflow.enablement.forms import (
    AcceptPassedForm,
    DecisionForm,
    UploadForm,
    request_form_for,
)
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import panel
from workflow.models import Journey, User
from workflow.models.enablement import DocumentKind, DocumentVersion, ReviewStatus
from workflow.policy import Action, may


def slot_state(current: DocumentVersion | None) -> str:
    if current is None:
        return "missing"
    if current.review_status is ReviewStatus.pending:
        return "uploaded"
    return current.review_status.value


def build_slot(kind: DocumentKind, history: list[DocumentVersion]) -> dict[str, Any]:
    current = history[-1] if history else None
    findings = findings_for(current)
    return {
        "kind": kind,
        "letter": kind.value,
        "title": title(kind),
        "short": SHORT_NAMES[kind],
        "current": current,
        "history": list(reversed(history)),
        "state": slot_state(current),
        "findings": findings,
        #: Accepting d needs the reviewer's own tick unless its text showed the account ID.
        "needs_account_id_tick": kind is DocumentKind.service_agreement
        and current is not None
        and not account_id_found(findings),
    }


def build_slots(journey: Journey) -> list[dict[str, Any]]:
    return [build_slot(kind, history) for kind, history in history_by_kind(journey).items()]


#: The key under which a refused save keeps the request form (see ``journeys.actions.act``).
REQUEST_FORM_KEY = "enablement-request"


@panel("enablement/panel.html", order=10)
def enablement_panel(journey: Journey, user: User) -> dict[str, Any] | None:
    if journey.state not in ENABLEMENT_STATES and journey.enablement_request is None:
        return None
    is_isv = journey.account.takes_isv_path
    can_edit = journey.state in EDITABLE_STATES and may(
        user, Action.edit_enablement_request, journey
    )
    is_deciding = journey.state == "enablement_submitted" and may(
        user, Action.decide_document, journey
    )
    form = submitted_form(REQUEST_FORM_KEY) or request_form_for(journey, formdata=None)
    return {
        "is_isv": is_isv,
        "can_edit": can_edit,
        "is_deciding": is_deciding,
        "request": journey.enablement_request,
        "form": form,
        "upload_form": UploadForm(),
        "decision_form": DecisionForm(),
        "passed": passed_documents(journey) if is_deciding and is_isv else [],
        "accept_passed_form": AcceptPassedForm(),
        "slots": build_slots(journey) if is_isv else [],
        "document_changes": document_changes(journey) if user.is_staff else [],
        "field_changes": field_changes(journey) if user.is_staff else [],
        "is_current_stage": journey.state in ENABLEMENT_STATES,
        "other_claims": other_claims(journey.account) if user.is_staff else [],
    }
