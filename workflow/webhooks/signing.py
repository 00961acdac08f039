"""Each endpoint's signing secret, derived and never stored, and the signature headers.

The secret is HMAC-SHA256 of a webhook key (itself derived from ``SECRET_KEY`` under its own
label, never the raw key) over the endpoint's ``public_id``. The row keeps only the public part
and the ID of the desk key, so the secret still signs after ``SECRET_KEY`` is rotated (the old
one then sits in ``RETIRED_SECRET_KEYS``), and a database reader cannot compute it.

A delivery carries three headers: its delivery ID, the Unix time it was signed at, and
``v1=`` + hex HMAC-SHA256 with the secret over ``"<timestamp>.<body>"`` (``docs/webhooks.md``
shows a receiver's check).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from workflow.apps.provenance import DeskKey

_LABEL = b"onboarding-desk/webhook-secrets/v1"
SECRET_PREFIX = "whsec_"

DELIVERY_HEADER = "X-Onboarding-Delivery"
EVENT_HEADER = "X-Onboarding-Event"
TIMESTAMP_HEADER = "X-Onboarding-Timestamp"
SIGNATURE_HEADER = "X-Onboarding-Signature"


def _webhook_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), _LABEL, hashlib.sha256).digest()


def _keys() -> dict[str, bytes]:
    """Webhook keys by desk key ID: the current secret's and each retired one's."""
    config = current_app.config
    found: dict[str, bytes] = {}
    for secret_key in [config["SECRET_KEY"], *config["RETIRED_SECRET_KEYS"]]:
        found.setdefault(DeskKey.derive(secret_key).key_id, _webhook_key(secret_key))
    return found


def new_public_id() -> str:
    return secrets.token_hex(12)


def current_key_id() -> str:
    return DeskKey.derive(current_app.config["SECRET_KEY"]).key_id


def secret_for(public_id: str, key_id: str) -> str | None:
    """The endpoint's secret, or None when its desk key is no longer known."""
    key = _keys().get(key_id)
    if key is None:
        return None
    digest = hmac.new(key, public_id.encode("ascii"), hashlib.sha256).digest()
    return SECRET_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex>``: HMAC-SHA256 with ``secret`` over ``"<timestamp>.<body>"``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "v1=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, *, delivery_id: str, event_type: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "TOP-Onboarding-Desk-Webhooks/1",
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
