"""Register, delete and redeliver: the verbs of the settings pages (flush, never commit).

Each asks the policy first: an account's applicants manage the account's endpoints, admins the
desk's own (``workflow.policy``, ``manage_webhooks`` and ``manage_desk_webhooks``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import update

from top.egress import address_kind, parse_networks
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import Account, DeliveryStatus, User, WebhookDelivery, WebhookEndpoint
from workflow.models.base import utcnow
from workflow.policy import Action, authorize
from workflow.webhooks import signing
from workflow.webhooks.events import EVENT_TYPE_NAMES, schedule_attempt

MAX_URL = 2000
MAX_ENDPOINTS = 20


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook endpoint (in the reader's language), or None.

    It must be https://, or http:// at an IP address inside ``WEBHOOK_ALLOWED_NETWORKS``. An
    address written as such must be public or allowed; a name is judged by the egress guard at
    each delivery, as the address it resolves to then.
    """
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        return str(_l("This is not a web address."))
    if parts.scheme not in ("http", "https") or not host:
        return str(_l("Give an https:// address."))
    if parts.username or parts.password:
        return str(_l("The address must not carry a user name or password."))
    if parts.fragment:
        return str(_l("The address must not have a #fragment."))
    allowed = parse_networks(current_app.config["WEBHOOK_ALLOWED_NETWORKS"])
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        address = None
    is_allowed = address is not None and any(
        address.version == n.version and address in n for n in allowed
    )
    if parts.scheme == "http" and not is_allowed:
        return str(
            _l(
                "Use https://. Plain http:// is only for addresses an admin allowed "
                "(ONBOARDING_WEBHOOK_ALLOWED_NETWORKS)."
            )
        )
    if address is not None and not is_allowed and address_kind(address) is not None:
        return str(
            _l(
                "The desk sends webhooks to public addresses only; an admin can allow a "
                "network with ONBOARDING_WEBHOOK_ALLOWED_NETWORKS."
            )
        )
    return None


def register_endpoint(
    actor: User,
    account: Account | None,
    url: str,
    event_types: Iterable[str],
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of ``account`` (None: the desk's own), with its secret, shown once."""
    if account is None:
        authorize(actor, Action.manage_desk_webhooks)
    else:
        # Asked about an endpoint of the account, not the account itself: staff see every
        # account, but an account's endpoints are its own applicants' alone.
        authorize(actor, Action.manage_webhooks, WebhookEndpoint(account_id=account.id))
    url = url.strip()
    problem = url_problem(url)
    if problem:
        raise DomainError(problem)
    chosen = sorted(set(event_types))
    if not chosen:
        raise DomainError(_l("Choose at least one event type."))
    unknown = [name for name in chosen if name not in EVENT_TYPE_NAMES]
    if unknown:
        raise DomainError(_l("Unknown event type: %(name)s", name=unknown[0]))
    owner = (
        WebhookEndpoint.account_id.is_(None)
        if account is None
        else (WebhookEndpoint.account_id == account.id)
    )
    count = db.session.query(WebhookEndpoint).filter(owner).count()
    if count >= MAX_ENDPOINTS:
        raise DomainError(_l("An owner has at most %(num)s webhook endpoints.", num=MAX_ENDPOINTS))
    endpoint = WebhookEndpoint(
        account_id=account.id if account is not None else None,
        url=url,
        description=description.strip(),
        event_types=chosen,
        public_id=signing.new_public_id(),
        key_id=signing.current_key_id(),
        is_active=True,
        consecutive_failures=0,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(endpoint)
    db.session.flush()
    secret = signing.secret_for(endpoint.public_id, endpoint.key_id)
    assert secret is not None  # the current key is always known
    return endpoint, secret


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log; jobs still queued for it find nothing owed."""
    authorize(actor, Action.manage_webhooks, endpoint)
    db.session.execute(
        WebhookDelivery.__table__.delete().where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    db.session.delete(endpoint)
    db.session.flush()


def switch_on(actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch an endpoint the desk switched off on again, with its failures counted afresh.
    What it missed stays failed in its log, to be sent again one by one."""
    authorize(actor, Action.manage_webhooks, endpoint)
    if endpoint.is_active:
        raise DomainError(_l("This endpoint is already on."))
    endpoint.is_active, endpoint.disabled_at, endpoint.consecutive_failures = True, None, 0
    db.session.flush()
    return endpoint


def redeliver(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again, under the same delivery ID, with a fresh round of
    attempts. A delivered one is not: its receiver acknowledged it."""
    endpoint = delivery.endpoint
    authorize(actor, Action.manage_webhooks, endpoint)
    if not endpoint.is_active:
        raise DomainError(_l("This endpoint is switched off; switch it on first."))
    if delivery.status is not DeliveryStatus.failed:
        raise DomainError(_l("Only a failed delivery can be sent again."))
    now = utcnow()
    result = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.status == DeliveryStatus.failed)
        .values(status=DeliveryStatus.pending, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_l("Only a failed delivery can be sent again."))
    db.session.refresh(delivery)
    attempt = delivery.attempts + 1
    schedule_attempt(delivery, attempt=attempt, first=attempt, run_after=now)
    return delivery
