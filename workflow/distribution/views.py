"""Stage 5: authorization and distribution lists, whom the APP serves, and its configuration."""

from flask import Blueprint, abort, flash, g
from flask_login import current_user

from workflow.distribution import checks, panels  # noqa: F401  (register requirements and panels)
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
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.journeys.actions import act, back_to, load_journey, refuse_form
from workflow.models import Audience, SellerListKind
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action

bp = Blueprint("distribution", __name__)


@bp.route("/journeys/<int:journey_id>/sellers/<kind>", methods=["POST"])
@requires_action(Action.edit_seller_list, target=journey_of)
def save_list(journey_id: int, kind: str):
    journey = load_journey(journey_id)
    list_kind = _kind(kind)
    form = SellerListForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form)
    upload = form.file.data
    try:
        has_file = upload is not None and bool(upload.filename)
        ids = ops.parse_seller_input(form.ids.data or "", upload.stream if has_file else None)
        saved = ops.save_seller_list(journey, list_kind, current_user, ids)
    except DomainError as exc:
        return _refuse_list(journey_id, list_kind, form, exc)
    db.session.commit()
    flash(
        f"Saved {saved.count} seller IDs ({saved.added_count} added, "
        f"{saved.removed_count} removed against the list in force).",
        "success",
    )
    return back_to(journey_id, f"sellers-{kind}")


def _refuse_list(journey_id: int, kind: SellerListKind, form: SellerListForm, exc: DomainError):
    """The journey page again, as a 400: the problems above the list, the typed text kept."""
    from workflow.journeys.views import show  # the page every area's forms live on

    db.session.rollback()
    g.setdefault("seller_list_refusals", {})[kind.value] = {
        "text": form.ids.data or "",
        "message": exc.message,
        "lines": getattr(exc, "lines", []),
    }
    flash(f"The {kind.value} list was not saved: {exc.message}", "error")
    return show(journey_id), 400


@bp.route("/journeys/<int:journey_id>/configs/required", methods=["POST"])
@requires_action(Action.set_required_configs, target=journey_of)
def set_required(journey_id: int):
    form = RequiredConfigsForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form)
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
        "Required configurations updated.",
        "configs",
    )


@bp.route("/journeys/<int:journey_id>/configs/<which>/confirm", methods=["POST"])
@requires_action(Action.confirm_config, target=journey_of)
def confirm(journey_id: int, which: str):
    form = ConfirmConfigForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form)
    details = form.details.data or ""

    def operation(journey):
        if which == "console":
            return confirm_console(journey, current_user)
        return confirm_config(journey, current_user, which, details)

    return act(journey_id, operation, "Configuration confirmed.", "configs")


@bp.route("/journeys/<int:journey_id>/audience", methods=["POST"])
@requires_action(Action.register_app, target=journey_of)
def change_audience(journey_id: int):
    form = AudienceForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form)
    audience = Audience(form.audience.data)
    return act(
        journey_id,
        lambda journey: ops.change_audience(journey, current_user, audience),
        "Saved whom the APP serves.",
        "distribution",
    )


def _kind(kind: str) -> SellerListKind:
    try:
        return SellerListKind(kind)
    except ValueError:
        abort(404)
