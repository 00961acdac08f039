import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflow import privacy, retention
from workflow.admin import operations
from workflow.admin.forms import EraseForm, InviteUserForm, RetentionForm, RunRetentionForm
from workflow.i18n import _, ngettext
from workflow.models import RETENTION_TITLES, Role, User
from workflow.policy import Action
from workflow.ui import role_name
from workflow.web.access import requires_action, row_of
from workflow.web.units import run_unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users_action(**_) -> Action:
    return Action.add_user if request.method == "POST" else Action.view_users


@bp.route("/users", methods=["GET", "POST"])
@requires_action(_users_action)
def users():
    form = InviteUserForm()
    if form.validate_on_submit():
        invited, _user = run_unit(
            lambda: operations.invite_user(
                current_user,
                form.email.data,
                Role(form.role.data),
                name=form.name.data or "",
                taobao_account_id=form.taobao_account_id.data or "",
            ),
            lambda user: _(
                "Invited %(role)s %(email)s: the invitation is mailed.",
                role=role_name(user.role),
                email=user.email,
            ),
        )
        if invited:
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=operations.list_users())


@bp.route("/users/<int:user_id>/access/<any(on, off):state>", methods=["POST"])
@requires_action(Action.set_user_active, target=row_of(User, "user_id", "user"))
def access(user_id: int, state: str):
    run_unit(
        lambda: operations.set_active(current_user, user_id, state == "on"),
        lambda user: (
            _("%(email)s can now sign in.", email=user.email)
            if user.is_active
            else _("%(email)s can no longer sign in.", email=user.email)
        ),
    )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires_action(Action.send_password_reset, target=row_of(User, "user_id", "user"))
def send_password_reset(user_id: int):
    run_unit(
        lambda: operations.send_password_reset(current_user, user_id),
        lambda user: _(
            "A link to set a new password is in the mail to %(email)s.", email=user.email
        ),
    )
    return redirect(url_for("admin.users"))


@bp.route("/retention", methods=["GET", "POST"])
@requires_action(Action.manage_retention)
def retention_rules():
    current = retention.rules()
    form = RetentionForm(data={kind.value: rule.days for kind, rule in current.items()})
    if form.validate_on_submit():
        saved, _periods = run_unit(
            lambda: retention.set_rules(current_user, form.days()),
            _retention_saved,
        )
        if saved:
            return redirect(url_for("admin.retention_rules"))
    return render_template(
        "admin/retention.html",
        form=form,
        run_form=RunRetentionForm(),
        titles=RETENTION_TITLES,
        rules=current,
        due=retention.due_counts(),
        deletions=retention.recent_deletions(),
    ), (400 if form.errors else 200)


def _retention_saved(periods: dict) -> str:
    if not periods:
        return _("Retention saved: keep all.")
    each = _(", ").join(
        ngettext("%(kind)s %(num)d day", "%(kind)s %(num)d days", days, kind=kind.value)
        for kind, days in sorted(periods.items())
    )
    return _("Retention saved: %(periods)s", periods=each)


@bp.route("/retention/run", methods=["POST"])
@requires_action(Action.manage_retention)
def run_retention():
    if RunRetentionForm().validate_on_submit():
        run_unit(lambda: retention.apply_retention(actor=current_user), lambda r: r.summary())
    else:
        flash(_("The form had expired. Reload the page and try again."), "error")
    return redirect(url_for("admin.retention_rules"))


def personal_data_response(user_id: int) -> Response:
    """The person's data as a JSON download, never cached."""
    data = privacy.export_personal_data(current_user, user_id)
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-user-{user_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/users/<int:user_id>/personal-data.json")
@requires_action(Action.export_personal_data, target=row_of(User, "user_id", "user"))
def personal_data(user_id: int):
    return personal_data_response(user_id)


@bp.route("/users/<int:user_id>/erase", methods=["POST"])
@requires_action(Action.erase_personal_data, target=row_of(User, "user_id", "user"))
def erase(user_id: int):
    if EraseForm().validate_on_submit():
        run_unit(
            lambda: privacy.erase_personal_data(current_user, user_id),
            lambda user: _(
                "User #%(id)s's personal data is erased; they can no longer sign in.",
                id=user.id,
            ),
        )
    else:
        flash(_("The form had expired. Reload the page and try again."), "error")
    return redirect(url_for("admin.users"))
