"""The settings page: which notices the signed-in user gets by mail."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from workflow.auth.reader import TimeZoneForm
from workflow.i18n import _, default_time_zone
from workflow.notifications.forms import NotificationsForm
from workflow.notifications.preferences import notices_for, preferences_of, set_preferences
from workflow.policy import Action
from workflow.web.access import requires_action
from workflow.web.units import run_unit

bp = Blueprint("notifications", __name__)


@bp.route("/account/settings", methods=["GET", "POST"])
@requires_action(Action.use_desk)
def settings():
    user = current_user._get_current_object()
    notices = notices_for(user)
    form = NotificationsForm()
    if request.method == "GET":
        for name, on in preferences_of(user).items():
            form[name].data = on
    elif form.validate_on_submit():
        choices = {n.name: bool(form[n.name].data) for n in notices}
        saved, _result = run_unit(
            lambda: set_preferences(user, choices), _("Your notification settings are saved.")
        )
        if saved:
            return redirect(url_for("notifications.settings"))
    zone_form = TimeZoneForm(formdata=None, time_zone=user.time_zone or default_time_zone(user))
    return render_template(
        "notifications/settings.html", form=form, notices=notices, zone_form=zone_form
    )
