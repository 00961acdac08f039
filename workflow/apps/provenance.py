"""Who vouches for a checker report: the desk's signing keys, evidence tokens and verdicts.

Keys are derived from ``SECRET_KEY`` (never used raw), one for signing the desk's own runs and
one from which evidence tokens are derived. Each key has an ID that reveals nothing about it.
``RETIRED_SECRET_KEYS`` keeps the keys of earlier secrets, so rotating the secret leaves old
verdicts verifiable; nothing new is signed or issued with them.

An evidence token is *derived*, not stored: HMAC of the token key over the token row's public
ID and binding (journey, stage, APP key, expiry). The row holds only that public part. Someone
who can read the database, but not the secret key, cannot compute a token, so cannot sign a
report the desk would accept; and editing a row's binding changes what the token would have to
be, so a token cannot be moved to another journey or APP by a database edit either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from top import evidence as signed
from workflow.apps.report_schema import ReportProblem, SignedReport, parse_report
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import EvidenceKind, EvidenceToken, Journey, User
from workflow.models.base import utcnow

TOKEN_LIFETIME = timedelta(hours=24)
_SIGNING_LABEL = b"onboarding-desk/evidence-signing/v1"
_TOKEN_LABEL = b"onboarding-desk/evidence-tokens/v1"


@dataclass(frozen=True)
class DeskKey:
    key_id: str
    signing: bytes = b""
    tokens: bytes = b""

    @classmethod
    def derive(cls, secret_key: str) -> DeskKey:
        base = secret_key.encode("utf-8")
        signing = hmac.new(base, _SIGNING_LABEL, hashlib.sha256).digest()
        tokens = hmac.new(base, _TOKEN_LABEL, hashlib.sha256).digest()
        key_id = "desk-" + hashlib.sha256(b"key-id|" + signing).hexdigest()[:16]
        return cls(key_id, signing, tokens)

    def __repr__(self) -> str:
        return f"<DeskKey {self.key_id}>"


def current_key() -> DeskKey:
    return DeskKey.derive(current_app.config["SECRET_KEY"])


def known_keys() -> dict[str, DeskKey]:
    """The current key and every retired one, by key ID."""
    secrets_ = [current_app.config["SECRET_KEY"], *current_app.config["RETIRED_SECRET_KEYS"]]
    keys = [DeskKey.derive(s) for s in secrets_]
    return {k.key_id: k for k in reversed(keys)}


def sign_desk_run(payload: dict[str, Any]) -> dict[str, Any]:
    key = current_key()
    return signed.sign(payload, key.signing, key.key_id)


# --- evidence tokens ------------------------------------------------------------------------


def issue_token(journey: Journey, kind: EvidenceKind, actor: User) -> signed.EvidenceToken:
    """A one-time token for one journey, one stage and its APP key; valid for 24 hours."""
    key = current_key()
    now = utcnow().replace(microsecond=0)
    row = EvidenceToken(
        public_id=secrets.token_hex(8),
        journey_id=journey.id,
        kind=kind,
        app_key=journey.app.app_key,
        key_id=key.key_id,
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return _derive_token(row, key)


def token_row(public_id: str) -> EvidenceToken | None:
    return db.session.scalar(select(EvidenceToken).where(EvidenceToken.public_id == public_id))


def token_of(row: EvidenceToken) -> signed.EvidenceToken | None:
    """The token ``row`` stands for, or None when its desk key is no longer known."""
    key = known_keys().get(row.key_id)
    return _derive_token(row, key) if key is not None else None


def _derive_token(row: EvidenceToken, key: DeskKey) -> signed.EvidenceToken:
    expires = row.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    binding = f"{row.public_id}|{row.journey_id}|{row.kind.value}|{row.app_key}|{expires}"
    digest = hmac.new(key.tokens, binding.encode("utf-8"), hashlib.sha256).digest()
    secret = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return signed.EvidenceToken(row.journey_id, row.kind.value, row.public_id, secret)


def is_expired(row: EvidenceToken, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= row.expires_at


# --- verdicts -------------------------------------------------------------------------------


#: Who signed a report, as a verdict names it.
SIGNER_NAMES = {"the desk": _l("the desk"), "an evidence token": _l("an evidence token")}


@dataclass(frozen=True)
class Verdict:
    """The result of checking a report's signature now, whatever the report claims."""

    #: ``verified``, ``bad_signature``, ``unknown_key``, ``unsigned`` or ``malformed``.
    status: str
    #: ``the desk`` or ``an evidence token``; empty when nobody could be named.
    signer: str
    key_id: str
    #: What the reader is told, in their language (a lazy catalog string).
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def verdict_of(
    envelope: Any, tokens: Mapping[str, EvidenceToken] | None = None
) -> tuple[Verdict, SignedReport | None]:
    """Read ``envelope`` through the schema and check its signature against the desk's keys.

    ``tokens`` are token rows already read, by public ID; any other is looked up.
    """
    try:
        report = parse_report(envelope)
    except ReportProblem as problem:
        status = "unsigned" if problem.code == "unsigned" else "malformed"
        return Verdict(status, "", "", problem._message), None
    if report.key_id.startswith("desk-"):
        key = known_keys().get(report.key_id)
        signer = "the desk"
        mac_key = key.signing if key is not None else None
    else:
        public_id = report.key_id.removeprefix("token:")
        row = (tokens or {}).get(public_id) or token_row(public_id)
        token = token_of(row) if row is not None else None
        signer = "an evidence token"
        mac_key = token.key if token is not None else None
    if mac_key is None:
        message = _l("Signed with a key this desk does not know (%(key)s).", key=report.key_id)
        return Verdict("unknown_key", signer, report.key_id, message), report
    if not signed.signature_matches(report.raw, mac_key):
        message = _l(
            "The signature does not verify: the report was changed after it was signed, "
            "or it was not signed by this desk's key or token."
        )
        return Verdict("bad_signature", signer, report.key_id, message), report
    message = _l(
        "Signature verified: signed by %(signer)s (key %(key)s).",
        signer=SIGNER_NAMES[signer],
        key=report.key_id,
    )
    return Verdict("verified", signer, report.key_id, message), report
