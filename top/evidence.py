"""Signed evidence: one checker run bound to a journey, a stage, an APP key and a gateway.

A report is an envelope ``{"format", "payload", "signature"}``. The signature is
HMAC-SHA256 over the canonical JSON of the payload (keys sorted, no spaces, UTF-8, no NaN),
so every field of the payload is covered and nothing outside it is. The desk signs its own
runs with a key derived from its secret key; a run on the applicant's host is signed with a
one-time evidence token the desk issued. No Flask here: the checker on a host uses this too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from top.report import CheckReport

FORMAT = "top-evidence/1"
ALGORITHM = "HMAC-SHA256"
TOKEN_PREFIX = "tev1"
STAGES = ("sandbox", "cloud")
#: The environment each stage's evidence has to come from.
STAGE_ENVIRONMENT = {"sandbox": "sandbox", "cloud": "production"}

#: The real TOP gateways (the developer guide and docs/top.md).
TOP_GATEWAY_HOSTS = {
    "gw.api.tbsandbox.com": "sandbox",
    "gw.api.taobao.com": "production",
    "eco.taobao.com": "production",
    "api.taobao.com": "production",
}
#: The local gateway answers under these paths too, standing in for sandbox and production
#: under names of their own, so a stand-in run can never pass for a real TOP run.
STAND_IN_PATHS = {
    "/stand-in/sandbox/router/rest": "sandbox",
    "/stand-in/production/router/rest": "production",
}

#: Limits the desk's schema enforces; the checker trims its texts to fit them.
MAX_TEXT = 2000
MAX_CHECKS = 64
MAX_ADDRESSES = 16
#: An advice's key (``top.advice``: parts joined by ``+``) and its parameters.
ADVICE_KEY_PATTERN = (
    r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+(\+[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+){0,3}$"
)
MAX_ADVICE_KEY = 200
MAX_PARAMS = 8
MAX_PARAM_TEXT = 500
PARAM_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"

_TOKEN = re.compile(
    rf"^{TOKEN_PREFIX}\.(?P<journey>[1-9][0-9]{{0,15}})\.(?P<stage>sandbox|cloud)"
    r"\.(?P<token_id>[0-9a-f]{16})\.(?P<secret>[A-Za-z0-9_-]{43})$"
)


@dataclass(frozen=True)
class GatewayKind:
    #: ``sandbox``, ``production`` or ``other`` (any URL that is neither).
    environment: str
    is_stand_in: bool


def classify_gateway(url: str) -> GatewayKind:
    """Which TOP environment a router URL belongs to, and whether it is a stand-in."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host in TOP_GATEWAY_HOSTS and parts.path.rstrip("/") == "/router/rest":
        return GatewayKind(TOP_GATEWAY_HOSTS[host], False)
    if parts.path in STAND_IN_PATHS and host not in TOP_GATEWAY_HOSTS:
        return GatewayKind(STAND_IN_PATHS[parts.path], True)
    return GatewayKind("other", False)


def stand_in_url(local_gateway_url: str, environment: str) -> str:
    """The stand-in name of ``environment`` on the local gateway at ``local_gateway_url``."""
    parts = urlsplit(local_gateway_url)
    return f"{parts.scheme}://{parts.netloc}/stand-in/{environment}/router/rest"


def canonical_json(value: Any) -> bytes:
    """The one byte form a signature is computed over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def mac(key: bytes, payload: dict[str, Any]) -> str:
    return hmac.new(key, canonical_json(payload), hashlib.sha256).hexdigest()


def sign(payload: dict[str, Any], key: bytes, key_id: str) -> dict[str, Any]:
    """The signed envelope of ``payload``."""
    return {
        "format": FORMAT,
        "payload": payload,
        "signature": {"alg": ALGORITHM, "key_id": key_id, "value": mac(key, payload)},
    }


def signature_matches(envelope: dict[str, Any], key: bytes) -> bool:
    expected = mac(key, envelope["payload"])
    return hmac.compare_digest(expected, str(envelope["signature"]["value"]))


@dataclass(frozen=True)
class EvidenceToken:
    """A one-time token: which journey and stage it is for, its id, and its secret part."""

    journey_id: int
    stage: str
    token_id: str
    secret: str

    @classmethod
    def parse(cls, text: str) -> EvidenceToken:
        match = _TOKEN.match(text.strip())
        if match is None:
            raise ValueError(
                "this is not an evidence token; copy it whole from the journey's evidence page"
            )
        return cls(int(match["journey"]), match["stage"], match["token_id"], match["secret"])

    def __str__(self) -> str:
        return f"{TOKEN_PREFIX}.{self.journey_id}.{self.stage}.{self.token_id}.{self.secret}"

    __repr__ = __str__  # only ever shown to the person it was issued to

    @property
    def key_id(self) -> str:
        return f"token:{self.token_id}"

    @property
    def key(self) -> bytes:
        """The MAC key of a report signed with this token (the token's secret part)."""
        return hmac.new(self.secret.encode(), b"top-evidence/1 report", hashlib.sha256).digest()


def utc_timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def host_facts(gateway_address: str = "") -> dict[str, Any]:
    """This host's name and addresses: what it resolves to, and the address it reaches TOP from."""
    name = socket.gethostname()
    addresses: list[str] = []
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        addresses += [str(info[4][0]) for info in infos]
    except (OSError, UnicodeError):
        pass
    if gateway_address:
        addresses.insert(0, _outbound_address(gateway_address))
    unique = [a for a in dict.fromkeys(addresses) if a][:MAX_ADDRESSES]
    return {"name": name[:255], "addresses": unique}


def _outbound_address(gateway_address: str) -> str:
    """The local address the kernel picks to reach the gateway (a UDP connect sends nothing)."""
    family = socket.AF_INET6 if ":" in gateway_address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((gateway_address, 9))
            return str(probe.getsockname()[0])
    except OSError:
        return ""


def build_payload(
    report: CheckReport,
    *,
    journey_id: int,
    stage: str,
    source: str,
    host: dict[str, Any],
    token_id: str | None = None,
    checked_at: datetime | None = None,
) -> dict[str, Any]:
    """What a signature covers: the binding (journey, stage, APP key, gateway) and every check."""
    kind = classify_gateway(report.gateway)
    return {
        "journey_id": journey_id,
        "stage": stage,
        "app_key": report.app_key,
        "gateway": report.gateway,
        "environment": kind.environment,
        "is_stand_in": kind.is_stand_in,
        "gateway_address": report.gateway_address,
        "checked_at": utc_timestamp(checked_at),
        "source": source,
        "token_id": token_id,
        "host": host,
        "checks": [_check_payload(c.to_evidence()) for c in report.checks[:MAX_CHECKS]],
    }


def _check_payload(check: dict[str, Any]) -> dict[str, Any]:
    for text in ("message", "advice", "sub_code"):
        if isinstance(check.get(text), str):
            check[text] = check[text][:MAX_TEXT]
    if "advice_params" in check:
        check["advice_params"] = {
            name: value[:MAX_PARAM_TEXT] if isinstance(value, str) else value
            for name, value in list(check["advice_params"].items())[:MAX_PARAMS]
        }
    return check


def sign_with_token(
    report: CheckReport, token: EvidenceToken, host: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Sign a run made on this host with the desk's one-time token."""
    payload = build_payload(
        report,
        journey_id=token.journey_id,
        stage=token.stage,
        source="host",
        host=host if host is not None else host_facts(report.gateway_address),
        token_id=token.token_id,
    )
    return sign(payload, token.key, token.key_id)
