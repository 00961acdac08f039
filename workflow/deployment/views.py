"""Stage 4: MRD/PRD, the business meeting, the cloud plan, deployment and exemption forms."""

from flask import Blueprint, abort
from flask_login import current_user

from workflow.deployment import checks, panels  # noqa: F401  (register requirements and panels)
from workflow.deployment.forms import StageDocumentForm, stage_form_class
from workflow.deployment.operations import form_action, save_stage_document, save_stage_form
from workflow.deployment.specs import SPECS
from workflow.errors import DomainError
from workflow.i18n import _
from workflow.journeys.actions import act, send_journey_file
from workflow.models import FormKind, StageForm
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action, row_on_journey
from workflow.web.pending_edits import NO_CSRF, carries_edits

bp = Blueprint("deployment", __name__)


@bp.route("/journeys/<int:journey_id>/forms/<kind>", methods=["POST"])
@requires_action(form_action, target=journey_of)
def save_form(journey_id: int, kind: str):
    form_kind = _kind(kind)
    form = stage_form_class(form_kind)()
    return act(
        journey_id,
        lambda journey: save_stage_form(journey, form_kind, current_user, form.stage_data()),
        _("Saved."),
        f"form-{kind}",
        form=form,
        key=f"stage-{kind}",
    )


@bp.route("/journeys/<int:journey_id>/forms/<kind>/document", methods=["POST"])
@requires_action(form_action, target=journey_of)
def upload_document(journey_id: int, kind: str):
    form_kind = _kind(kind)
    form = StageDocumentForm()

    def upload(journey):
        document = form.document.data
        if document is None or not document.filename:
            raise DomainError(_("Choose a PDF to upload."))
        return save_stage_document(
            journey, form_kind, current_user, document.stream, document.filename
        )

    return act(journey_id, upload, _("The document is uploaded."), f"form-{kind}", form=form)


@bp.route("/journeys/<int:journey_id>/forms/file/<int:form_id>")
@requires_action(
    Action.download_stage_file, target=row_on_journey(StageForm, "form_id", "document")
)
def document(journey_id: int, form_id: int):
    return send_journey_file(
        journey_id, StageForm, form_id, filename="document.pdf", content_type="application/pdf"
    )


def _carry(kind: FormKind) -> None:
    carries_edits(
        f"stage-{kind.value}",
        SPECS[kind].action,
        build=lambda journey, fields: stage_form_class(kind)(formdata=fields, meta=NO_CSRF),
        save=lambda journey, user, form: save_stage_form(journey, kind, user, form.stage_data()),
    )


for _spec_kind in SPECS:
    _carry(_spec_kind)


def _kind(kind: str) -> FormKind:
    try:
        return FormKind(kind)
    except ValueError:
        abort(404)
