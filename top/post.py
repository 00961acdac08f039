"""Posting a signed report to the desk from the host where the checker ran (``--post-to``).

The request carries the evidence token as its only credential (``Authorization: Bearer
tev1.…``); the desk accepts it for the one upload the token allows. As with the checker's calls
to TOP, no redirect is followed (it would carry the token elsewhere), and the token never
travels in the clear: plain HTTP is refused except to this machine (a desk on loopback). No
Flask here.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from top.evidence import EvidenceToken

#: The desk's route for a journey's check; the token names both.
EVIDENCE_PATH = "/api/v1/journeys/{journey}/evidence/{stage}"


@dataclass(frozen=True)
class DeskAnswer:
    status: int
    body: dict[str, Any]

    @property
    def accepted(self) -> bool:
        return self.status == 201

    def summary(self) -> str:
        """One line a person reads: what the desk made of the report, or why it refused it."""
        if self.accepted:
            return f"The desk accepted the report as evidence {self.body.get('id')}: " + str(
                self.body.get("result", "")
            )
        detail = self.body.get("detail") or self.body.get("title") or "no reason given"
        return f"The desk refused the report (HTTP {self.status}): {detail}"


def evidence_url(desk_url: str, token: EvidenceToken) -> str:
    """The desk's evidence route for ``token`` under ``desk_url`` (the desk's address)."""
    parts = urlsplit(desk_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("--post-to takes the desk's address, e.g. https://desk.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("--post-to takes the desk's address only, without ?query, #part or login")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "--post-to needs https: the evidence token must not travel in the clear "
            "(plain http only to this machine)"
        )
    path = EVIDENCE_PATH.format(journey=token.journey_id, stage=token.stage)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{path}"


def post_report(
    url: str,
    signed: dict[str, Any],
    token: EvidenceToken,
    timeout: float,
    http: requests.Session | None = None,
) -> DeskAnswer:
    """Send ``signed`` to ``url`` authorised by ``token``; the desk's answer, decoded."""
    body = json.dumps(signed, ensure_ascii=False).encode("utf-8")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with http if http is not None else requests.Session() as session:
        answer = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    try:
        decoded = answer.json()
    except ValueError:
        decoded = {}
    if not isinstance(decoded, dict):
        decoded = {}
    if 300 <= answer.status_code < 400:
        decoded = {
            "detail": f"the desk answered with a redirect to {answer.headers.get('Location')}"
        }
    return DeskAnswer(answer.status_code, decoded)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
