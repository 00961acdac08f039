from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from workflow.admin import operations
from workflow.admin.forms import InviteUserForm
from workflow.models import Role, User
from workflow.policy import Action
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
        invited, _ = run_unit(
            lambda: operations.invite_user(
                current_user,
                form.email.data,
                Role(form.role.data),
                name=form.name.data or "",
                taobao_account_id=form.taobao_account_id.data or "",
            ),
            lambda user: f"Invited {user.role.value} {user.email}: the invitation is mailed.",
        )
        if invited:
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=operations.list_users())


@bp.route("/users/<int:user_id>/access/<any(on, off):state>", methods=["POST"])
@requires_action(Action.set_user_active, target=row_of(User, "user_id", "user"))
def access(user_id: int, state: str):
    run_unit(
        lambda: operations.set_active(current_user, user_id, state == "on"),
        lambda user: f"{user.email} can {'now' if user.is_active else 'no longer'} sign in.",
    )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires_action(Action.send_password_reset, target=row_of(User, "user_id", "user"))
def send_password_reset(user_id: int):
    run_unit(
        lambda: operations.send_password_reset(current_user, user_id),
        lambda user: f"A link to set a new password is in the mail to {user.email}.",
    )
    return redirect(url_for("admin.users"))
