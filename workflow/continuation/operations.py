"""Continue a rejected journey in a new one, carrying over what the applicant chooses.

``rejected`` is a final state of the chart and stays one: nothing moves the rejected journey
on. A new journey starts instead, at enablement while the account is not enabled and at the
APP draft once it is, with a link to the rejected one (``Journey.follows``). Both chains record
the link: the new journey a ``journey.continues`` decision with what it carried over, the
rejected one a ``journey.continued`` decision. An admin may do it on the applicant's behalf,
with a reason the applicant sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow import files
from workflow.decisions import decide
from workflow.enablement.documents import all_fields, current_documents, field_values
from workflow.enablement.ocr_job import queue_ocr
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    ApiRequest,
    App,
    DecisionKind,
    DocumentVersion,
    EnablementRequest,
    Event,
    Journey,
    OcrStatus,
    ReviewStatus,
    Role,
    User,
)
from workflow.operations import bump_version, open_journey
from workflow.policy import Action, authorize
from workflow.storage_setup import get_storage

#: What a new journey can carry over, in the order the form offers it.
CARRY_LABELS = {
    "enablement": _l("The enablement request's details"),
    "documents": _l("Documents a–f that were not rejected (Tmall Global reviews them again)"),
    "app": _l("The APP and its API requests with their reasons (decided again)"),
}

#: The reviewer's words that explain a rejection: the events that carry them.
_REASON_EVENTS = ("reject", "request_changes", "refuse_exemption")


def carry_options(rejected: Journey) -> list[str]:
    """What the rejected journey holds that a new one could start with."""
    options = []
    if not rejected.account.is_enabled:
        if rejected.enablement_request is not None:
            options.append("enablement")
        if any(_carried_documents(rejected)):
            options.append("documents")
    elif rejected.app is not None:
        options.append("app")
    return options


def continue_journey(
    rejected: Journey, actor: User, *, carry: Iterable[str] = (), reason: str = ""
) -> Journey:
    """Start the journey that continues ``rejected``, with the chosen parts carried over."""
    authorize(actor, Action.continue_journey, rejected)
    reason = reason.strip()
    if rejected.state != "rejected":
        raise DomainError(_l("Only a rejected journey can be continued in a new one."))
    if rejected.followed_by is not None:
        raise DomainError(
            _l("Journey #%(id)s already continues this one.", id=rejected.followed_by.id)
        )
    if actor.role is Role.admin and not reason:
        raise DomainError(_l("Say why you start the new journey on the applicant's behalf."))
    options = carry_options(rejected)
    unknown = set(carry) - set(options)
    if unknown:
        raise DomainError(
            _l("Nothing of this kind to carry over: %(kinds)s.", kinds=", ".join(sorted(unknown)))
        )
    # The rejected journey's row first: of two requests at once, the second gets a conflict.
    bump_version(rejected)
    journey = open_journey(rejected.account, actor, follows=rejected)
    carried = [what for what in options if what in set(carry)]
    for what in carried:
        _CARRY[what](rejected, journey, actor)
    db.session.flush()
    on_behalf = actor.role is Role.admin
    about = {"journey": rejected.id, "carried": carried, "on_behalf": on_behalf}
    decide(journey, actor, DecisionKind.continues, [journey], about, comment=reason)
    about = {"journey": journey.id, "on_behalf": on_behalf}
    decide(rejected, actor, DecisionKind.continued, [rejected], about, comment=reason)
    return journey


def _carry_enablement(rejected: Journey, journey: Journey, actor: User) -> None:
    values = field_values(rejected.enablement_request, all_fields(rejected))
    db.session.add(EnablementRequest(journey=journey, **values))


def _carried_documents(rejected: Journey) -> list[DocumentVersion]:
    currents = current_documents(rejected).values()
    return [d for d in currents if d is not None and d.review_status is not ReviewStatus.rejected]


def _carry_documents(rejected: Journey, journey: Journey, actor: User) -> None:
    """A copy of each document's bytes, so each journey's files stay its own."""
    for old in _carried_documents(rejected):
        with (
            get_storage().open(old.file_id) as stream,
            files.stored(stream, content_type=old.content_type, limit_uploads=False) as obj,
        ):
            copy = DocumentVersion(
                journey_id=journey.id,
                kind=old.kind,
                version=1,
                file_id=obj.file_id,
                filename=old.filename,
                content_type=old.content_type,
                size=obj.size,
                sha256=obj.sha256,
                prechecks=list(old.prechecks or []),
                # What the text layer or OCR already read is the same bytes' text.
                text=old.text,
                text_source=old.text_source,
                ocr_status=old.ocr_status,
                ocr_error=old.ocr_error,
                uploaded_by_id=actor.id,
            )
            db.session.add(copy)
            db.session.flush()
            if old.ocr_status in (OcrStatus.running, OcrStatus.failed):
                queue_ocr(copy)  # the old reading is unfinished or failed: read the copy again


def _carry_app(rejected: Journey, journey: Journey, actor: User) -> None:
    old = rejected.app
    old.key_held = False  # a rejected journey's APP lets its key go to the journey after it
    db.session.flush()
    requests = [ApiRequest(method=r.method, reason=r.reason) for r in old.api_requests]
    with db.session.no_autoflush:
        app = App(
            account_id=journey.account_id,
            app_key=old.app_key,
            name=old.name,
            description=old.description,
            is_new=old.is_new,
            audience=old.audience,
            api_requests=requests,
        )
        db.session.add(app)
        app.journey = journey


_CARRY = {"enablement": _carry_enablement, "documents": _carry_documents, "app": _carry_app}


def rejection_reasons(rejected: Journey) -> list[Event]:
    """The reviewer's reasons on the rejected journey, newest first: the rejection itself,
    requested changes, a refused exemption, rejected documents and refused APIs."""
    return [event for event in reversed(rejected.events) if _is_reason(event)]


def _is_reason(event: Event) -> bool:
    if event.event in _REASON_EVENTS:
        return bool(event.comment or event.note)
    if event.event not in (DecisionKind.document, DecisionKind.api):
        return False
    values = (event.data.get("rows") or [{}])[-1].get("values", {})
    return "rejected" in (values.get("review_status"), values.get("decision"))
