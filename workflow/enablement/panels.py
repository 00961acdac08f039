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
    UploadForm,
    request_form_for,
)
from workflow.i18n import _, _l, ngettext
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import Finding, panel
from workflow.models import Journey, User
from workflow.models.enablement import DocumentKind, DocumentVersion, ReviewStatus
from workflow.policy import Action, may

#: What a document slot's state and a version's review status read as on the page.
SLOT_STATES = {
    "missing": _l("missing"),
    "uploaded": _l("uploaded"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
}
REVIEW_WORDS = {
    ReviewStatus.pending.value: _l("pending"),
    ReviewStatus.accepted.value: _l("accepted"),
    ReviewStatus.rejected.value: _l("rejected"),
}


def slot_state(current: DocumentVersion | None) -> str:
    if current is None:
        return "missing"
    if current.review_status is ReviewStatus.pending:
        return "uploaded"
    return current.review_status.value


def build_slot(kind: DocumentKind, history: list[DocumentVersion]) -> dict[str, Any]:
    current = history[-1] if history else None
    findings = findings_for(current)
    state = slot_state(current)
    return {
        "kind": kind,
        "letter": kind.value,
        "title": title(kind),
        "short": SHORT_NAMES[kind],
        "current": current,
        "history": list(reversed(history)),
        "state": state,
        "state_label": SLOT_STATES[state],
        "status_words": REVIEW_WORDS,
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


def enablement_summary(p: dict[str, Any]) -> list[Finding]:
    """The reviewer's first look at stage 1: claims, prechecks, what changed."""
    lines: list[Finding] = []
    if p["other_claims"]:
        verified = any(c.is_verified for c in p["other_claims"])
        count = len(p["other_claims"])
        if verified:
            text = ngettext(
                "%(num)d other account claims this taobao account ID, and it is verified",
                "%(num)d other accounts claim this taobao account ID, one of them verified",
                count,
            )
            lines.append(("fail", text))
        else:
            text = ngettext(
                "%(num)d other account claims this taobao account ID",
                "%(num)d other accounts claim this taobao account ID",
                count,
            )
            lines.append(("warn", text))
    if p["is_isv"]:
        slots = p["slots"]
        uploaded = [s for s in slots if s["current"] is not None]
        passed = {d.kind.value for d in p["passed"]}
        lines.append(
            ("ok" if len(uploaded) == len(slots) else "fail",
             _("%(uploaded)d of %(count)d documents uploaded", uploaded=len(uploaded),
               count=len(slots)))
        )  # fmt: skip
        if passed:
            lines.append(
                ("ok", _("Passed every precheck: %(letters)s", letters=_list(sorted(passed))))
            )
        one_by_one = [s["letter"] for s in uploaded if s["state"] == "uploaded"]
        one_by_one = [letter for letter in one_by_one if letter not in passed]
        if one_by_one:
            lines.append(("warn", _("To check one by one: %(letters)s", letters=_list(one_by_one))))
        rejected = [s["letter"] for s in slots if s["state"] == "rejected"]
        if rejected:
            lines.append(("fail", _("Rejected: %(letters)s", letters=_list(rejected))))
    changed = [c.label for c in p["field_changes"]] + [c.message for c in p["document_changes"]]
    if changed:
        changes = _("; ").join(str(change) for change in changed)
        lines.append(("warn", _("Changed since the last decision: %(changes)s", changes=changes)))
    return lines


def _list(items) -> str:
    """Short items (document letters) as a list in the reader's language."""
    return _(", ").join(str(item) for item in items)


@panel("enablement/panel.html", order=10, stage="1", summary=enablement_summary)
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
    # Forms only where the page shows them: building one costs as much as rendering it.
    form = (
        submitted_form(REQUEST_FORM_KEY) or request_form_for(journey, formdata=None)
        if can_edit
        else None
    )
    return {
        "is_isv": is_isv,
        "can_edit": can_edit,
        "is_deciding": is_deciding,
        "request": journey.enablement_request,
        "form": form,
        "upload_form": UploadForm() if can_edit else None,
        "passed": passed_documents(journey) if is_deciding and is_isv else [],
        "slots": build_slots(journey) if is_isv else [],
        "document_changes": document_changes(journey) if user.is_staff else [],
        "field_changes": field_changes(journey) if user.is_staff else [],
        "is_current_stage": journey.state in ENABLEMENT_STATES,
        "other_claims": other_claims(journey.account) if user.is_staff else [],
    }
