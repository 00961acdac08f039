"""The API tokens section of the settings: the list with each token's last use, a form to
create one (the token is shown once, on the page that answers the form), and revocation."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from workflow.api.tokens import create_token, revoke_token, tokens_of
from workflow.extensions import db
from workflow.i18n import _
from workflow.models.base import utcnow
from workflow.policy import Action
from workflow.tokens.forms import CreateTokenForm, RevokeTokenForm
from workflow.web.access import requires_action
from workflow.web.units import run_unit

bp = Blueprint("tokens", __name__)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@requires_action(Action.use_desk)
def tokens():
    user = current_user._get_current_object()
    form = CreateTokenForm()
    shown = None
    if request.method == "POST" and form.validate_on_submit():
        saved, result = run_unit(
            lambda: create_token(user, form.name.data, form.scopes(), int(form.days.data)),
            lambda made: _("The token “%(name)s” is made.", name=made[0].name),
        )
        if saved:
            shown = result[1]
            form = CreateTokenForm(formdata=None)
    return _page(form, shown=shown)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@requires_action(Action.use_desk)
def revoke(token_id: int):
    user = current_user._get_current_object()
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        return _page(CreateTokenForm(formdata=None), revoking=token_id, revoke_form=form), 400
    run_unit(lambda: revoke_token(user, token_id), _("The token is revoked; it no longer works."))
    return redirect(url_for("tokens.tokens"))


def _page(form, *, shown=None, revoking=None, revoke_form=None):
    user = current_user._get_current_object()
    db.session.flush()
    tokens = tokens_of(user)
    # Each row has its own revoke form: a refused revocation shows its error under the row
    # that was asked, the other rows' forms are fresh.
    revoke_forms = {
        t.id: revoke_form if t.id == revoking and revoke_form else RevokeTokenForm(formdata=None)
        for t in tokens
    }
    return render_template(
        "tokens/tokens.html",
        form=form,
        shown=shown,
        tokens=tokens,
        now=utcnow(),
        revoke_forms=revoke_forms,
    )
