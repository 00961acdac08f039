"""Stage 5: authorization and distribution lists, whom the APP serves, and its configuration."""

from flask import Blueprint, abort
from flask_login import current_user

from workflow.distribution import checks  # noqa: F401  (register requirements)
from workflow.distribution import operations as ops
from workflow.distribution.configs import (
    confirm_config,
    confirm_console,
    set_config_requirements,
)
from workflow.distribution.forms import (
    AudienceForm,
    ConfirmConfigForm,
    RequiredConfigsForm,
    SellerListForm,
)
from workflow.distribution.panels import (
    REQUIRED_CONFIGS_KEY,
    confirm_form_key,
    list_form_key,
)
from workflow.i18n import _, ngettext
from workflow.journeys.actions import act
from workflow.models import Audience, SellerListKind
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action
from workflow.web.pending_edits import NO_CSRF, carries_edits

bp = Blueprint("distribution", __name__)


@bp.route("/journeys/<int:journey_id>/sellers/<kind>", methods=["POST"])
@requires_action(Action.edit_seller_list, target=journey_of)
def save_list(journey_id: int, kind: str):
    list_kind = _kind(kind)
    form = SellerListForm()

    def save(journey):
        upload = form.file.data
        has_file = upload is not None and bool(upload.filename)
        ids = ops.parse_seller_input(form.ids.data or "", upload.stream if has_file else None)
        return ids, ops.save_seller_list(journey, list_kind, current_user, ids)

    return act(
        journey_id,
        save,
        _saved_message,
        f"sellers-{kind}",
        form=form,
        key=list_form_key(list_kind),
    )


def _carry(kind: SellerListKind) -> None:
    """A typed list travels with "Submit for review"; a file is uploaded with "Save the list"."""

    def save(journey, user, form):
        ids = ops.parse_seller_input(form.ids.data or "")
        return ops.save_seller_list(journey, kind, user, ids)

    carries_edits(
        list_form_key(kind),
        Action.edit_seller_list,
        build=lambda journey, fields: SellerListForm(formdata=fields, meta=NO_CSRF),
        save=save,
    )


for _list_kind in SellerListKind:
    _carry(_list_kind)


def _saved_message(outcome) -> str:
    ids, saved = outcome
    message = ngettext(
        "Saved %(num)d seller ID (%(added)d added, %(removed)d removed against the list in force).",
        "Saved %(num)d seller IDs (%(added)d added, %(removed)d removed against the list in "
        "force).",
        saved.count,
        added=saved.added_count,
        removed=saved.removed_count,
    )
    notice = ids.duplicates_notice()
    return _("%(message)s %(notice)s.", message=message, notice=notice) if notice else message


@bp.route("/journeys/<int:journey_id>/configs/required", methods=["POST"])
@requires_action(Action.set_required_configs, target=journey_of)
def set_required(journey_id: int):
    form = RequiredConfigsForm()
    return act(
        journey_id,
        lambda journey: set_config_requirements(
            journey,
            current_user,
            security=form.security.data,
            cloud=form.cloud.data,
            security_details=form.security_details.data or "",
            cloud_details=form.cloud_details.data or "",
        ),
        _("Required configurations updated."),
        "configs",
        form=form,
        key=REQUIRED_CONFIGS_KEY,
    )


@bp.route("/journeys/<int:journey_id>/configs/<which>/confirm", methods=["POST"])
@requires_action(Action.confirm_config, target=journey_of)
def confirm(journey_id: int, which: str):
    form = ConfirmConfigForm()

    def operation(journey):
        if which == "console":
            return confirm_console(journey, current_user)
        return confirm_config(journey, current_user, which, form.details.data or "")

    return act(
        journey_id,
        operation,
        _("Configuration confirmed."),
        "configs",
        form=form,
        key=confirm_form_key(which),
    )


@bp.route("/journeys/<int:journey_id>/audience", methods=["POST"])
@requires_action(Action.register_app, target=journey_of)
def change_audience(journey_id: int):
    form = AudienceForm()
    return act(
        journey_id,
        lambda journey: ops.change_audience(journey, current_user, Audience(form.audience.data)),
        _("Saved whom the APP serves."),
        "distribution",
        form=form,
    )


def _kind(kind: str) -> SellerListKind:
    try:
        return SellerListKind(kind)
    except ValueError:
        abort(404)
