"""Send webhook deliveries as ``webhook`` jobs, signed, through the egress guard.

Each attempt is one job (``webhook:<delivery>:<attempt>``). It records its outcome on the
delivery row and the endpoint, committed together with marking the job done, and queues the
next attempt after a backoff when it failed. After ``WEBHOOK_MAX_FAILURES`` failed attempts
in a row the endpoint is switched off and its owner mailed, in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import select, update
from urllib3.exceptions import HTTPError

from top.egress import EgressPolicy, EgressRefused, guarded_session
from workflow import jobs
from workflow.extensions import db
from workflow.i18n import _, _l, english
from workflow.mail.language import mail_time, written_for
from workflow.mail.outbox import queue_mail
from workflow.models import (
    DeliveryStatus,
    Job,
    Role,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflow.models.base import utcnow
from workflow.webhooks import signing
from workflow.webhooks.events import schedule_attempt

log = logging.getLogger(__name__)

#: Attempts in one round (the first, or a redelivery) before a delivery is failed.
MAX_ATTEMPTS = 8
#: Seconds to connect and to read the answer.
TIMEOUT = (5, 10)
#: How much of a receiver's answer is kept when it refused the delivery.
ANSWER_KEPT = 300


#: The desk's own reasons for a failed delivery, by code, with the parameters each is written with.
ERRORS = {
    "switched_off": lambda: _l("the endpoint is switched off"),
    "unknown_key": lambda: _l("the desk key this endpoint's secret came from is not known"),
    "not_public": lambda host, setting: _l(
        "refused: %(host)s is not a public address; an admin can allow its network with "
        "%(setting)s",
        host=host,
        setting=setting,
    ),
}
ALLOWED_NETWORKS_SETTING = "ONBOARDING_WEBHOOK_ALLOWED_NETWORKS"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    http_status: int | None = None
    #: A receiver's answer or a network error, as text; or the English of ``code``.
    error: str = ""
    #: The desk's own reason (a key of :data:`ERRORS`) and its parameters.
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def desk_error(code: str, **params: Any) -> Outcome:
    return Outcome(False, error=english(ERRORS[code](**params)), code=code, params=params)


def _set_error(delivery: WebhookDelivery, code: str, **params: Any) -> None:
    delivery.last_error = english(ERRORS[code](**params))
    delivery.last_error_code, delivery.last_error_params = code, params


def delivery_error(delivery: WebhookDelivery) -> str:
    """A delivery's last failure for a page or a mail: the desk's own reason in the reader's
    language, anything else (a receiver's answer, an older row) as it was stored."""
    text = ERRORS.get(delivery.last_error_code or "")
    params = delivery.last_error_params
    if text is not None and isinstance(params, dict):
        try:
            return str(text(**params))
        except (TypeError, KeyError, ValueError):
            pass
    return delivery.last_error


def egress_policy() -> EgressPolicy:
    return EgressPolicy.from_setting(current_app.config["WEBHOOK_ALLOWED_NETWORKS"])


def post(url: str, headers: dict[str, str], body: bytes, policy: EgressPolicy) -> Outcome:
    """One POST through the guard; any 2xx answer is an acknowledgement.

    Of a refusal's answer only the first ``ANSWER_KEPT`` bytes are read: a receiver cannot
    make the worker hold a large body.
    """
    host = urlsplit(url).hostname or url
    with guarded_session(policy) as session:
        try:
            with session.post(
                url, data=body, headers=headers, timeout=TIMEOUT, stream=True
            ) as response:
                status = response.status_code
                if 200 <= status < 300:
                    return Outcome(True, status)
                start = response.raw.read(ANSWER_KEPT, decode_content=True) or b""
        except EgressRefused:
            return desk_error("not_public", host=host, setting=ALLOWED_NETWORKS_SETTING)
        except (requests.RequestException, HTTPError, OSError) as error:
            # Reading the answer's start raw can raise urllib3's own errors (a read timeout).
            return Outcome(False, error=str(error)[:ANSWER_KEPT] or type(error).__name__)
    text = start.decode("utf-8", "replace")
    return Outcome(False, status, f"HTTP {status} {text}".strip())


class SendWebhook:
    """Send attempt ``payload["attempt"]`` of delivery ``payload["delivery"]``.

    Effect rule: outside the database, one signed POST to the endpoint per attempt; a
    delivery already acknowledged (2xx) is never sent again by a job. Inside the database, the
    attempt's outcome (attempts, status, last answer, ``delivered_at``), the endpoint's
    failures in a row, its switching off with the owner's mail, and the next attempt's job are
    committed together with marking this job done. If that commit fails after the receiver
    answered 2xx, the attempt runs again: at least once, under the same delivery ID, which the
    receiver uses to drop the duplicate.
    """

    def __call__(self, job: Job) -> None:
        delivery = db.session.get(WebhookDelivery, job.payload["delivery"])
        if delivery is None or delivery.status is not DeliveryStatus.pending:
            return  # deleted with its endpoint, or already delivered: nothing is owed
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.status = DeliveryStatus.failed
            delivery.next_attempt_at = None
            _set_error(delivery, "switched_off")
            return
        secret = signing.secret_for(endpoint.public_id, endpoint.key_id)
        if secret is None:
            delivery.status = DeliveryStatus.failed
            delivery.next_attempt_at = None
            _set_error(delivery, "unknown_key")
            return
        delivery_pk, endpoint_pk, url = delivery.id, endpoint.id, endpoint.url
        body, event_type, delivery_id = delivery.body(), delivery.event_type, delivery.delivery_id
        attempt, first = int(job.payload["attempt"]), int(job.payload.get("first", 1))
        policy = egress_policy()
        with jobs.outside_transaction():
            timestamp = int(utcnow().timestamp())
            headers = signing.signed_headers(
                secret,
                delivery_id=delivery_id,
                event_type=event_type,
                timestamp=timestamp,
                body=body,
            )
            outcome = post(url, headers, body, policy)
        _record(delivery_pk, endpoint_pk, outcome, attempt=attempt, first=first)


def _record(delivery_pk: int, endpoint_pk: int, outcome: Outcome, *, attempt: int, first: int):
    now = utcnow()
    delivery = db.session.get(WebhookDelivery, delivery_pk)
    if delivery is None:
        return  # its endpoint was deleted meanwhile
    delivery.attempts = max(delivery.attempts, attempt)
    delivery.last_attempt_at = now
    delivery.last_http_status = outcome.http_status
    if outcome.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
        delivery.next_attempt_at, delivery.last_error = None, ""
        delivery.last_error_code = delivery.last_error_params = None
        db.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_pk)
            .values(consecutive_failures=0)
            .execution_options(synchronize_session=False)
        )
        return
    delivery.last_error = outcome.error[:1000]
    delivery.last_error_code = outcome.code
    delivery.last_error_params = outcome.params if outcome.code else None
    failures = db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_pk)
        .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
        .returning(WebhookEndpoint.consecutive_failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    switched_off = False
    if failures >= current_app.config["WEBHOOK_MAX_FAILURES"]:
        switched_off = _switch_off(endpoint_pk, now)
    endpoint = db.session.get(WebhookEndpoint, endpoint_pk)
    db.session.refresh(endpoint)
    if endpoint.is_active and attempt - first + 1 < MAX_ATTEMPTS:
        delivery.next_attempt_at = now + jobs.backoff(attempt - first + 1)
        schedule_attempt(
            delivery, attempt=attempt + 1, first=first, run_after=delivery.next_attempt_at
        )
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
    if switched_off:
        _fail_pending(endpoint_pk, except_id=delivery_pk)
        mail_owner_switched_off(endpoint, delivery)


def _switch_off(endpoint_pk: int, now) -> bool:
    """Switch the endpoint off, once: True for the attempt that did it."""
    result = db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_pk, WebhookEndpoint.is_active.is_(True))
        .values(is_active=False, disabled_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _fail_pending(endpoint_pk: int, *, except_id: int) -> None:
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_pk,
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.id != except_id,
        )
        .values(
            status=DeliveryStatus.failed,
            next_attempt_at=None,
            last_error=english(ERRORS["switched_off"]()),
            last_error_code="switched_off",
            last_error_params={},
        )
        .execution_options(synchronize_session=False)
    )


def owners_of(endpoint: WebhookEndpoint) -> list[User]:
    """Who is told about the endpoint: its account's active users, or the active admins for
    an endpoint of the desk's own."""
    if endpoint.account_id is None:
        stmt = select(User).where(User.role == Role.admin)
    else:
        stmt = select(User).where(User.account_id == endpoint.account_id)
    return [u for u in db.session.scalars(stmt.order_by(User.id)) if u.is_active]


def mail_owner_switched_off(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    log_url = f"{base}/webhooks/{endpoint.id}"
    for user in owners_of(endpoint):
        with written_for(user):
            subject = _("[TOP onboarding] Webhook endpoint switched off: %(url)s", url=endpoint.url)
            body = _(
                "The desk switched off the webhook endpoint %(url)s on %(time)s after "
                "%(failures)s failed deliveries in a row.\n\n"
                "Last answer: %(error)s\n\n"
                "Nothing more is sent to it. Once the receiver works, switch it on again on its "
                "page, where the deliveries it missed can be sent again: %(log)s\n",
                url=endpoint.url,
                time=mail_time(endpoint.disabled_at or utcnow(), user),
                failures=endpoint.consecutive_failures,
                error=delivery_error(delivery) or "-",
                log=log_url,
            )
            queue_mail(user.email, subject, body)


def webhook_kind() -> jobs.JobKind:
    """The ``webhook`` job kind; a failed attempt queues the next one itself, so the job's
    own retries only cover a handler that raised."""
    return jobs.JobKind("webhook", SendWebhook(), max_attempts=3)
