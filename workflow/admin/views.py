from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflow.admin import operations
from workflow.admin.forms import InviteUserForm
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import Role, User
from workflow.policy import Action
from workflow.web.access import requires_action, row_of

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users_action(**_) -> Action:
    return Action.add_user if request.method == "POST" else Action.view_users


@bp.route("/users", methods=["GET", "POST"])
@requires_action(_users_action)
def users():
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            user = operations.invite_user(
                current_user,
                form.email.data,
                Role(form.role.data),
                name=form.name.data or "",
                taobao_account_id=form.taobao_account_id.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"Invited {user.role.value} {user.email}: the invitation is mailed.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=operations.list_users())


@bp.route("/users/<int:user_id>/access/<any(on, off):state>", methods=["POST"])
@requires_action(Action.set_user_active, target=row_of(User, "user_id", "user"))
def access(user_id: int, state: str):
    try:
        user = operations.set_active(current_user, user_id, state == "on")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{user.email} can {'now' if user.is_active else 'no longer'} sign in.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@requires_action(Action.send_password_reset, target=row_of(User, "user_id", "user"))
def send_password_reset(user_id: int):
    try:
        user = operations.send_password_reset(current_user, user_id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"A link to set a new password is in the mail to {user.email}.", "success")
    return redirect(url_for("admin.users"))
