"""Stage-1 routes: save the request, upload documents, show them inline, decide on them."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    render_template,
    request,
    send_file,
)
from flask_login import current_user

import workflow.enablement.checks  # noqa: F401  (registers the stage's requirements)
from storage import ObjectNotFound, safe_download_name
from workflow import operations
from workflow.enablement import operations as enablement
from workflow.enablement import prechecks
from workflow.enablement.documents import describe, previous_version
from workflow.enablement.forms import (
    AcceptPassedForm,
    DecisionForm,
    UploadForm,
    request_form_for,
)
from workflow.enablement.panels import (  # noqa: F401
    REQUEST_FORM_KEY,
    REVIEW_WORDS,
    build_slot,
    enablement_panel,
)
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _, ngettext
from workflow.journeys.actions import act, back_to
from workflow.models import DocumentVersion
from workflow.policy import Action
from workflow.retention import ensure_file_kept
from workflow.storage_setup import get_storage
from workflow.web.access import journey_of, requires_action, row_of
from workflow.web.pending_edits import NO_CSRF, carries_edits

bp = Blueprint("enablement", __name__)
bp.add_app_template_global(prechecks.shown, "precheck_message")


@bp.route("/journeys/<int:journey_id>/enablement/request", methods=["POST"])
@requires_action(Action.edit_enablement_request, target=journey_of)
def save_request(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    form = request_form_for(journey)
    return act(
        journey_id,
        lambda journey: enablement.save_enablement_request(journey, current_user, form.data),
        _("Saved."),
        "enablement",
        form=form,
        key=REQUEST_FORM_KEY,
    )


carries_edits(
    REQUEST_FORM_KEY,
    Action.edit_enablement_request,
    build=lambda journey, fields: request_form_for(journey, formdata=fields, meta=NO_CSRF),
    save=lambda journey, user, form: enablement.save_enablement_request(journey, user, form.data),
)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/journeys/<int:journey_id>/enablement/documents/<kind>", methods=["POST"])
@requires_action(Action.upload_document, target=journey_of)
def upload(journey_id: int, kind: str):
    journey = operations.get_journey_for(current_user, journey_id)
    document_kind = enablement.parse_kind(kind)
    form = UploadForm()
    try:
        if not form.validate_on_submit():
            raise DomainError(form.error_summary())
        upload_file = form.file.data
        if upload_file is None or not getattr(upload_file, "filename", None):
            raise DomainError(_("Choose a file to upload."))
        document = enablement.upload_document(
            journey, current_user, document_kind, upload_file.stream, upload_file.filename
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _upload_refused(journey_id, exc)
    message = _(
        "Uploaded version %(number)s of the %(document)s.",
        number=document.version,
        document=describe(document_kind),
    )
    if _wants_json():
        return jsonify(ok=True, message=message, slot=_slot_html(journey, document_kind))
    flash(message, "success")
    return back_to(journey_id, f"doc-{kind}")


def _upload_refused(journey_id: int, exc: DomainError):
    if _wants_json():
        return jsonify(ok=False, message=str(exc.message)), exc.status_code
    if isinstance(exc, NotFound):
        raise exc
    flash(str(exc.message), "error")
    return back_to(journey_id)


def _slot_html(journey, kind) -> str:
    from workflow.enablement.documents import history_by_kind

    slot = build_slot(kind, history_by_kind(journey)[kind])
    return render_template(
        "enablement/_slot.html",
        slot=slot,
        journey=journey,
        can_edit=True,
        upload_form=UploadForm(),
    )


document_of = row_of(DocumentVersion, "document_id", "document")


@bp.route("/enablement/documents/<int:document_id>/file")
@requires_action(Action.download_document, target=document_of)
def document_file(document_id: int):
    document = enablement.get_document_for(current_user, document_id)
    file_id = ensure_file_kept(document)
    storage = get_storage()
    try:
        if request.args.get("download"):
            return storage.download_response(
                file_id, filename=document.filename, content_type=document.content_type
            )
        return _inline_response(document, storage.open(file_id))
    except ObjectNotFound:
        raise NotFound(_("The stored file is missing. Tell an administrator.")) from None


@bp.route("/enablement/documents/<int:document_id>/compare")
@requires_action(Action.download_document, target=document_of)
def compare(document_id: int):
    """A version beside the one before it, each in its own viewer, with what was decided."""
    document = enablement.get_document_for(current_user, document_id)
    journey = operations.get_journey_for(current_user, document.journey_id)
    return render_template(
        "enablement/compare.html",
        journey=journey,
        current=document,
        previous=previous_version(document),
        title=describe(document.kind),
        status_words=REVIEW_WORDS,
    )


def _inline_response(document, stream) -> Response:
    response = send_file(
        stream,
        mimetype=document.content_type,
        as_attachment=False,
        download_name=safe_download_name(document.filename),
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.content_length = document.size
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/enablement/documents/<int:document_id>/decision", methods=["POST"])
@requires_action(Action.decide_document, target=document_of)
def decide(document_id: int):
    document = enablement.get_document_for(current_user, document_id)
    journey = operations.get_journey_for(current_user, document.journey_id)
    form = DecisionForm()
    return act(
        journey.id,
        lambda journey: enablement.decide_document(
            journey,
            current_user,
            document,
            form.decision.data or "",
            form.reason.data or "",
            seen_status=form.seen_status.data or None,
            account_id_seen=bool(form.account_id_seen.data),
        ),
        lambda decided: _(
            "The %(document)s is now %(status)s.",
            document=describe(decided.kind),
            status=REVIEW_WORDS[decided.review_status.value],
        ),
        f"doc-{document.kind.value}",
        form=form,
    )


@bp.route("/journeys/<int:journey_id>/enablement/documents/accept-passed", methods=["POST"])
@requires_action(Action.decide_document, target=journey_of)
def accept_passed(journey_id: int):
    form = AcceptPassedForm()
    return act(
        journey_id,
        lambda journey: enablement.accept_passed_documents(
            journey, current_user, form.document_ids
        ),
        _accepted_message,
        "enablement",
        form=form,
    )


def _accepted_message(accepted: list[DocumentVersion]) -> str:
    if not accepted:
        return _("Those documents were already accepted.")
    names = _(", ").join(str(describe(document.kind)) for document in accepted)
    return ngettext(
        "Accepted %(num)d document whose prechecks all passed: %(names)s.",
        "Accepted %(num)d documents whose prechecks all passed: %(names)s.",
        len(accepted),
        names=names,
    )
