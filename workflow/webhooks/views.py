"""The webhook pages: an account's endpoints on its settings, the desk's own for admins, and
each endpoint's delivery log with redelivery."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _
from workflow.models import Account, WebhookDelivery, WebhookEndpoint
from workflow.policy import Action
from workflow.web.access import own_account, requires_action, row_of
from workflow.web.units import run_unit
from workflow.webhooks import operations
from workflow.webhooks.delivery import delivery_error
from workflow.webhooks.events import EVENT_TYPES, event_label
from workflow.webhooks.forms import (
    DeleteEndpointForm,
    EndpointForm,
    RedeliverForm,
    SwitchOnForm,
)

bp = Blueprint("webhooks", __name__)
bp.add_app_template_global(delivery_error)

#: Deliveries shown on an endpoint's log, newest first.
LOG_LENGTH = 100

_endpoint = row_of(WebhookEndpoint, "endpoint_id", "webhook endpoint")


def _endpoints(account: Account | None) -> list[WebhookEndpoint]:
    owner = (
        WebhookEndpoint.account_id.is_(None)
        if account is None
        else WebhookEndpoint.account_id == account.id
    )
    return list(
        db.session.scalars(select(WebhookEndpoint).where(owner).order_by(WebhookEndpoint.id))
    )


def _endpoints_page(account: Account | None):
    form = EndpointForm()
    secret, created = None, None
    if form.validate_on_submit():
        registered, result = run_unit(
            lambda: operations.register_endpoint(
                current_user._get_current_object(),
                account,
                form.url.data,
                form.event_types.data or [],
                form.description.data or "",
            ),
            _("The endpoint is registered. Copy its signing secret now: it is shown only once."),
        )
        if registered:
            created, secret = result
            form = EndpointForm(formdata=None)
    return render_template(
        "webhooks/endpoints.html",
        form=form,
        endpoints=_endpoints(account),
        account=account,
        secret=secret,
        created=created,
        event_types=EVENT_TYPES,
        event_label=event_label,
    )


@bp.route("/account/webhooks", methods=["GET", "POST"])
@requires_action(Action.manage_webhooks, target=own_account)
def account_endpoints():
    return _endpoints_page(current_user.account)


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@requires_action(Action.manage_desk_webhooks)
def desk_endpoints():
    return _endpoints_page(None)


def _back(endpoint: WebhookEndpoint) -> str:
    if endpoint.is_desk_endpoint:
        return url_for("webhooks.desk_endpoints")
    return url_for("webhooks.account_endpoints")


@bp.route("/webhooks/<int:endpoint_id>")
@requires_action(Action.manage_webhooks, target=_endpoint)
def endpoint(endpoint_id: int):
    row = _endpoint(endpoint_id=endpoint_id)
    deliveries = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == row.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_LENGTH)
    ).all()
    return render_template(
        "webhooks/endpoint.html",
        endpoint=row,
        deliveries=deliveries,
        delete_form=DeleteEndpointForm(formdata=None),
        redeliver_form=RedeliverForm(formdata=None),
        switch_on_form=SwitchOnForm(formdata=None),
        back=_back(row),
        event_label=event_label,
    )


@bp.route("/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@requires_action(Action.manage_webhooks, target=_endpoint)
def delete_endpoint(endpoint_id: int):
    row = _endpoint(endpoint_id=endpoint_id)
    back = _back(row)
    form = DeleteEndpointForm()
    if not form.validate_on_submit():
        flash(form.error_summary() or _("The form could not be used."), "error")
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    url = row.url
    deleted, _result = run_unit(
        lambda: operations.delete_endpoint(current_user._get_current_object(), row),
        _("The endpoint %(url)s and its delivery log are deleted.", url=url),
    )
    if deleted:
        return redirect(back)
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.route("/webhooks/<int:endpoint_id>/on", methods=["POST"])
@requires_action(Action.manage_webhooks, target=_endpoint)
def switch_on(endpoint_id: int):
    row = _endpoint(endpoint_id=endpoint_id)
    form = SwitchOnForm()
    if not form.validate_on_submit():
        flash(form.error_summary() or _("The form could not be used."), "error")
    else:
        run_unit(
            lambda: operations.switch_on(current_user._get_current_object(), row),
            _("The endpoint is on again. Send the deliveries it missed from its log."),
        )
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@requires_action(Action.manage_webhooks, target=_endpoint)
def redeliver(endpoint_id: int, delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(_("No such delivery."))
    form = RedeliverForm()
    if not form.validate_on_submit():
        flash(form.error_summary() or _("The form could not be used."), "error")
    else:
        run_unit(
            lambda: operations.redeliver(current_user._get_current_object(), delivery),
            _("Delivery %(id)s is queued again.", id=delivery.delivery_id),
        )
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
