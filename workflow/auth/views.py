import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from workflow.auth import operations
from workflow.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from workflow.errors import DomainError
from workflow.extensions import db, login_manager
from workflow.models import AccountKind, User
from workflow.policy import Action
from workflow.web.access import public, requires_action
from workflow.web.limits import rate_limit
from workflow.web.urls import safe_next

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session cookie that carries the user's current session token."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 10:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None  # signed out elsewhere, password changed, or access switched off
    return user


def _safe_next(target: str | None) -> str:
    return safe_next(target) or url_for("journeys.home")


@bp.route("/login", methods=["GET", "POST"])
@public("signing in")
@rate_limit("sign_in")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("journeys.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except operations.TooManySignIns as exc:
            db.session.rollback()
            flash(exc.message, "error")
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        db.session.commit()  # a failure is counted even though nobody signs in
        if user is None:
            flash("That e-mail and password do not match an account.", "error")
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires_action(Action.use_desk)
def logout():
    operations.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public("self-registration of a new developer account")
@rate_limit("account_mail")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = operations.register_applicant(
                form.email.data,
                form.password.data,
                AccountKind(form.account_kind.data),
                form.account_name.data,
                form.taobao_account_id.data,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome. Your developer account journey has started.", "success")
            return redirect(url_for("journeys.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@requires_action(Action.use_desk)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            user.set_password(form.password.data)  # signs out every other session
            db.session.commit()
            login_user(user)  # this one goes on with the new session token
            flash("Your password is changed. Your other sessions are signed out.", "success")
            return redirect(url_for("journeys.home"))
    return render_template("auth/password.html", form=form)
