import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from workflow.auth import operations, reader, registration
from workflow.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
)
from workflow.auth.tokens import InvalidLink, find_token
from workflow.errors import DomainError
from workflow.extensions import db, login_manager
from workflow.i18n import _, _l
from workflow.models import AccountKind, TokenPurpose, User
from workflow.policy import Action
from workflow.web.access import public, requires_action
from workflow.web.limits import rate_limit
from workflow.web.urls import safe_next

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session cookie that carries the user's current session token."""
    user_id, _colon, token = session_id.partition(":")
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
            flash(_("That e-mail and password do not match an account."), "error")
        else:
            login_user(user)
            if reader.adopt_session_language(user):
                db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires_action(Action.use_desk)
def logout():
    operations.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public("self-registration of a new developer account")
@rate_limit("account_mail")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        registration.register(
            form.email.data,
            form.password.data,
            AccountKind(form.account_kind.data),
            form.account_name.data,
            form.taobao_account_id.data,
        )
        db.session.commit()
        # The same page whether the address or the taobao account ID is known or not.
        return render_template("auth/check_mail.html", email=form.email.data, reason="register")
    return render_template("auth/register.html", form=form)


@bp.route("/account/verify", methods=["GET", "POST"])
@public("the mailed link is the credential: single use, time-limited, kept only as a hash")
def verify_email():
    form = ConfirmEmailForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
        if find_token(form.token.data, TokenPurpose.verify_email) is None:
            return _invalid_link(TokenPurpose.verify_email)
        return _link_page(render_template("auth/verify.html", form=form))
    if not form.validate_on_submit():
        return _invalid_link(TokenPurpose.verify_email)
    try:
        user = registration.verify_email(form.token.data)
    except InvalidLink:
        db.session.rollback()
        return _invalid_link(TokenPurpose.verify_email)
    db.session.commit()
    flash(_("Your e-mail address is confirmed. You can now submit your requests."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("journeys.home"))
    return redirect(url_for("auth.login"))


@bp.route("/account/verify/resend", methods=["POST"])
@requires_action(Action.resend_verification)
@rate_limit("account_mail")
def resend_verification():
    if registration.resend_verification(current_user):
        db.session.commit()
        flash(
            _(
                "We mailed a new link to %(email)s; earlier ones stop working.",
                email=current_user.email,
            ),
            "info",
        )
    else:
        flash(_("Your e-mail address is already confirmed."), "info")
    return redirect(url_for("journeys.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public("asking for a password-reset link; the answer is the same for every address")
@rate_limit("account_mail")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        registration.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/check_mail.html", email=form.email.data, reason="reset")
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
@public("the mailed link is the credential: single use, time-limited, kept only as a hash")
@rate_limit("account_mail")
def reset_password():
    form = NewPasswordForm()
    return _password_by_link(
        form, TokenPurpose.reset_password, "auth/reset.html", registration.reset_password
    )


@bp.route("/invitation", methods=["GET", "POST"])
@public("the mailed invitation is the credential: single use, time-limited, kept as a hash")
def accept_invitation():
    form = AcceptInvitationForm()
    return _password_by_link(
        form,
        TokenPurpose.invitation,
        "auth/invitation.html",
        lambda token, password: registration.accept_invitation(token, password, form.name.data),
    )


def _password_by_link(form, purpose: TokenPurpose, template: str, operation):
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    row = find_token(form.token.data, purpose)
    if row is None:
        return _invalid_link(purpose)
    if form.validate_on_submit():
        try:
            operation(form.token.data, form.password.data)
        except InvalidLink:
            db.session.rollback()
            return _invalid_link(purpose)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("auth.login"))
        db.session.commit()
        logout_user()  # whoever was signed in here, the new password starts a fresh session
        flash(
            _("Your password is set and every earlier session is signed out. Sign in."), "success"
        )
        return redirect(url_for("auth.login"))
    if request.method == "GET" and purpose is TokenPurpose.invitation:
        form.name.data = form.name.data or row.user.name
    return _link_page(render_template(template, form=form, email=row.user.email))


def _invalid_link(purpose: TokenPurpose):
    page = render_template("auth/link_invalid.html", purpose=purpose.value)
    return _link_page(page, 400)


def _link_page(page: str, status: int = 200):
    """A page reached through a mailed link: its URL holds the token, which must not leak to
    another site through the Referer header, nor stay in a shared cache."""
    return page, status, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.route("/account/personal-data.json")
@requires_action(Action.export_personal_data, target=lambda **_: current_user._get_current_object())
def my_personal_data():
    from workflow.admin.views import personal_data_response

    return personal_data_response(current_user.id)


@bp.route("/account/password", methods=["GET", "POST"])
@requires_action(Action.use_desk)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.password.data)  # signs out every other session
            db.session.commit()
            login_user(user)  # this one goes on with the new session token
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("journeys.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["POST"])
@public("choosing the language of the pages, before signing in as after")
def choose_language():
    """The top bar's EN / 中文 switch: back to the page it was on, in the language chosen."""
    form = reader.LanguageForm()
    back = safe_next(form.next.data) or url_for("journeys.home")
    if not form.validate_on_submit():
        flash(_("The language could not be changed: %(why)s", why=form.error_summary()), "error")
        return redirect(back)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    reader.choose_language(user, form.language.data)
    db.session.commit()
    return redirect(back)


@bp.route("/account/time-zone", methods=["POST"])
@requires_action(Action.use_desk)
def choose_time_zone():
    """The zone the user's times show in: chosen on the settings page, or reported once by an
    applicant's browser (``detected``), which answers 204 rather than a page."""
    form = reader.TimeZoneForm()
    detected = form.detected.data == "yes"
    if not form.validate_on_submit():
        if detected:
            return "", 400
        flash(_("Your time zone is not saved: %(why)s", why=form.error_summary()), "error")
        return redirect(url_for("notifications.settings"))
    user = current_user._get_current_object()
    reader.choose_time_zone(user, form.time_zone.data, detected=detected)
    db.session.commit()
    if detected:
        return "", 204
    flash(_("Times now show in %(zone)s.", zone=form.time_zone.data), "success")
    return redirect(url_for("notifications.settings"))
