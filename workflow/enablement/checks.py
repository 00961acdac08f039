"""What stage-1 transitions need; registered with ``workflow.requirements``."""

from __future__ import annotations

from workflow.enablement.claims import verified_elsewhere
from workflow.enablement.documents import (
    current_documents,
    describe,
    field_values,
    required_fields,
)
from workflow.enablement.operations import snapshot_decided_fields
from workflow.i18n import _l
from workflow.models import Journey
from workflow.models.enablement import ReviewStatus
from workflow.requirements import requires
from workflow.signals import journey_changed


def _is_isv(journey: Journey) -> bool:
    return journey.account.takes_isv_path


@requires(("enablement_draft", "submit"), ("enablement_changes_requested", "submit"))
def request_complete(journey: Journey) -> list[str]:
    request = journey.enablement_request
    fields = required_fields(journey)
    if request is None:
        if _is_isv(journey):
            return [_l("Fill in and save the company details before submitting.")]
        return [_l("Fill in and save the enablement request before submitting.")]
    values = field_values(request, fields)
    return [
        _l("Enter the %(field)s before submitting.", field=label)
        for name, label in fields.items()
        if not values[name]
    ]


@requires(("enablement_draft", "submit"), ("enablement_changes_requested", "submit"))
def documents_present(journey: Journey) -> list[str]:
    if not _is_isv(journey):
        return []
    problems = []
    for kind, current in current_documents(journey).items():
        if current is None:
            problems.append(
                _l("Upload the %(document)s before submitting.", document=describe(kind))
            )
        elif current.review_status is ReviewStatus.rejected:
            problems.append(
                _l(
                    "Replace the rejected %(document)s before resubmitting.",
                    document=describe(kind),
                )
            )
    return problems


@requires(("enablement_submitted", "approve"))
def documents_accepted(journey: Journey) -> list[str]:
    if not _is_isv(journey):
        return []
    return [
        _l("Accept the %(document)s before approving.", document=describe(kind))
        for kind, current in current_documents(journey).items()
        if current is None or current.review_status is not ReviewStatus.accepted
    ]


@requires(("enablement_submitted", "approve"))
def taobao_id_free(journey: Journey) -> list[str]:
    if journey.account.is_taobao_verified:
        return []
    holder = verified_elsewhere(journey.account)
    if holder is None:
        return []
    return [
        _l(
            "The taobao account ID %(taobao_id)s is already verified for another developer "
            "account (%(holder)s, account %(account)s). Reject this claim instead.",
            taobao_id=journey.account.taobao_account_id,
            holder=holder.name,
            account=holder.account_id,
        )
    ]


@requires(("enablement_submitted", "request_changes"))
def some_document_rejected(journey: Journey) -> list[str]:
    if not _is_isv(journey):
        return []
    currents = current_documents(journey).values()
    if any(c is not None and c.review_status is ReviewStatus.rejected for c in currents):
        return []
    return [_l("Reject at least one document, with its reason, before requesting changes.")]


@journey_changed.connect
def remember_decided_fields(journey: Journey, *, event, **_) -> None:
    if event.from_state == "enablement_submitted":
        snapshot_decided_fields(journey)
