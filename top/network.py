"""The network half of the checker: DNS, TCP, TLS and the gateway's plain HTTP answer.

With an :class:`~top.egress.EgressPolicy` (the desk checking a URL an applicant typed) the DNS
step also judges every address, later steps connect only to the judged address, and failed
connections are reported without saying whether the port refused or timed out.
"""

import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

from top.advice import (
    advice,
    dns_advice,
    http_advice,
    refused_advice,
    timeout_advice,
    tls_advice,
    unreachable_advice,
)
from top.client import TopClient
from top.egress import REFUSAL_ADVICE, EgressPolicy, EgressRefused, connect_failed_message
from top.report import CheckResult

#: Certificates closer than this to expiry are still accepted but get a warning.
CERT_WARNING_DAYS = 14


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    is_https: bool

    @classmethod
    def from_url(cls, url: str) -> "Target":
        parts = urlsplit(url)
        is_https = parts.scheme == "https"
        port = parts.port or (443 if is_https else 80)
        return cls(url, parts.hostname or "", port, is_https)


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_dns(target: Target, policy: EgressPolicy | None = None) -> tuple[CheckResult, list[str]]:
    started = time.perf_counter()
    # RFC 6761: names under .invalid never resolve, so they are never sent to a DNS server.
    if target.host.rstrip(".").lower().endswith(".invalid"):
        return _dns_failed(target, started, "the .invalid domain is reserved and never resolves")
    try:
        if policy is not None:
            addresses = policy.resolve(target.host, target.port)
        else:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    except (socket.gaierror, UnicodeError) as error:
        return _dns_failed(target, started, str(error))
    except EgressRefused as error:
        return _refused(started, str(error)), []
    message = f"{target.host} resolves to {', '.join(addresses)}"
    return CheckResult("dns", True, elapsed_ms(started), message=message), addresses


def _dns_failed(target: Target, started: float, why: str) -> tuple[CheckResult, list[str]]:
    result = CheckResult(
        "dns",
        False,
        elapsed_ms(started),
        sub_code="net.name-not-resolved",
        message=f"{target.host} does not resolve: {why}",
        **dns_advice(target.host).fields(),
    )
    return result, []


def _refused(started: float, why: str) -> CheckResult:
    return CheckResult(
        "dns",
        False,
        elapsed_ms(started),
        sub_code="net.address-refused",
        message=why.removesuffix(f": {REFUSAL_ADVICE}"),
        **advice("net.address-refused").fields(),
    )


def check_tcp(
    target: Target, addresses: list[str], timeout: float, guarded: bool = False
) -> tuple[CheckResult, str]:
    """Connect to the first address that answers; ``guarded`` hides why none did."""
    started = time.perf_counter()
    error: OSError | None = None
    for address in addresses:
        try:
            with socket.create_connection((address, target.port), timeout=timeout):
                message = f"connected to {address}:{target.port}"
                return CheckResult("tcp", True, elapsed_ms(started), message=message), address
        except OSError as exc:
            error = exc
    if guarded:
        return _connect_failed(target), ""
    return _tcp_failed(target, started, error, timeout), ""


def _connect_failed(target: Target) -> CheckResult:
    """Refused, reset and timed out read the same, with no duration to tell them apart."""
    return CheckResult(
        "tcp",
        False,
        sub_code="net.connect-failed",
        message=connect_failed_message(target.host, target.port),
        **unreachable_advice(target.host, target.port).fields(),
    )


def _tcp_failed(
    target: Target, started: float, error: OSError | None, timeout: float
) -> CheckResult:
    if isinstance(error, TimeoutError):
        sub_code, hint = "net.timeout", timeout_advice(target.host, target.port, timeout)
    elif isinstance(error, ConnectionRefusedError):
        sub_code, hint = "net.connection-refused", refused_advice(target.host, target.port)
    else:
        sub_code, hint = "net.connect-failed", unreachable_advice(target.host, target.port)
    return CheckResult(
        "tcp",
        False,
        elapsed_ms(started),
        sub_code=sub_code,
        message=f"cannot connect to {target.host}:{target.port}: {error}",
        **hint.fields(),
    )


def check_tls(
    target: Target, address: str, timeout: float, ca_file: str | None, guarded: bool = False
) -> CheckResult:
    """The handshake with ``address``, sending the name (SNI) and checking the certificate on it."""
    started = time.perf_counter()
    context = ssl.create_default_context(cafile=ca_file)
    try:
        with (
            socket.create_connection((address, target.port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            certificate = tls.getpeercert() or {}
            version = tls.version()
    except ssl.SSLError as error:
        detail = getattr(error, "verify_message", None) or error.reason or str(error)
        return CheckResult(
            "tls",
            False,
            elapsed_ms(started),
            sub_code="tls.certificate-invalid"
            if isinstance(error, ssl.SSLCertVerificationError)
            else "tls.handshake-failed",
            message=f"TLS with {target.host} failed: {detail}",
            **tls_advice(str(detail)).fields(),
        )
    except OSError as error:
        if guarded:
            return _connect_failed(target)
        return _tcp_failed(target, started, error, timeout)
    return _tls_ok(certificate, version, started)


def _tls_ok(certificate: dict, version: str | None, started: float) -> CheckResult:
    expires = ssl.cert_time_to_seconds(certificate["notAfter"]) if certificate else None
    days_left = None if expires is None else int((expires - time.time()) // 86400)
    message = f"{version}, certificate valid, expires in {days_left} days"
    fields = {}
    if days_left is not None and days_left < CERT_WARNING_DAYS:
        fields = advice("tls.expires-soon").fields()
    return CheckResult("tls", True, elapsed_ms(started), message=message, **fields)


def check_http(
    client: TopClient, target: Target, timeout: float
) -> tuple[CheckResult, datetime | None]:
    """POST an empty call: a TOP router answers with a JSON ``error_response`` (code 21)."""
    started = time.perf_counter()
    try:
        answer = client.http.post(
            target.url, data={"format": "json"}, timeout=timeout, **client.request_options()
        )
        if answer.is_redirect:
            return _http_failed(target, started, _redirect(answer)), None
        body = answer.json()
    except EgressRefused as error:
        return _http_failed(target, started, str(error)), None
    except requests.RequestException as error:
        return _http_failed(target, started, f"{type(error).__name__}: {error}"), None
    except ValueError:
        why = f"HTTP {answer.status_code}, not a JSON body"
        return _http_failed(target, started, why), None
    looks_like_top = isinstance(body, dict) and any(key.endswith("_response") for key in body)
    if answer.status_code != 200 or not looks_like_top:
        return _http_failed(target, started, f"HTTP {answer.status_code}, not a TOP envelope"), None
    message = f"HTTP {answer.status_code} with a TOP JSON envelope"
    return CheckResult("http", True, elapsed_ms(started), message=message), _date(answer)


def _redirect(answer: requests.Response) -> str:
    location = answer.headers.get("Location", "")[:200]
    return (
        f"HTTP {answer.status_code} redirect to {location or 'nowhere'}; the checker follows no "
        "redirects: check the URL the gateway really answers on"
    )


def _http_failed(target: Target, started: float, why: str) -> CheckResult:
    return CheckResult(
        "http",
        False,
        elapsed_ms(started),
        sub_code="http.not-a-top-gateway",
        message=f"{target.url}: {why}",
        **http_advice(target.url).fields(),
    )


def _date(answer: requests.Response) -> datetime | None:
    try:
        return parsedate_to_datetime(answer.headers["Date"])
    except (KeyError, TypeError, ValueError):
        return None
