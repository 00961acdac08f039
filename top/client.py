"""A small synchronous TOP client: builds the system parameters, signs, posts, unwraps."""

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from top.errors import TopError, TopTransportError
from top.signing import SIGN_METHODS, is_file_value, param_text, sign, top_timestamp

log = logging.getLogger(__name__)

#: Gateway names a person may type instead of a URL.
GATEWAYS: dict[str, str] = {
    "production": "https://eco.taobao.com/router/rest",
    "production-http": "http://gw.api.taobao.com/router/rest",
    "sandbox": "https://gw.api.tbsandbox.com/router/rest",
    "sandbox-http": "http://gw.api.tbsandbox.com/router/rest",
    "overseas": "https://api.taobao.com/router/rest",
    "overseas-http": "http://api.taobao.com/router/rest",
}
DEFAULT_TIMEOUT = 15.0
Clock = Callable[[], datetime]


def resolve_gateway(name_or_url: str) -> str:
    """Map ``sandbox``/``production``/``overseas`` (or ``*-http``) to its URL; pass URLs through."""
    key = name_or_url.strip().lower()
    if key in GATEWAYS:
        return GATEWAYS[key]
    parts = urlsplit(name_or_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        names = ", ".join(GATEWAYS)
        raise ValueError(f"gateway must be one of {names} or an http(s) URL, not {name_or_url!r}")
    return name_or_url.strip()


def response_key(method: str) -> str:
    """``taobao.time.get`` answers under ``time_get_response``."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Secret:
    """Holds the APP secret so that no repr, str or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class TopClient:
    """Calls TOP APIs on one gateway as one APP (and optionally one seller session)."""

    def __init__(
        self,
        gateway_url: str,
        app_key: str,
        app_secret: str,
        sign_method: str = "hmac-sha256",
        session: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http: requests.Session | None = None,
        clock: Clock = utc_now,
        ca_file: str | None = None,
    ) -> None:
        if sign_method not in SIGN_METHODS:
            raise ValueError(f"sign_method must be one of {', '.join(SIGN_METHODS)}")
        self.gateway_url = resolve_gateway(gateway_url)
        self.app_key = app_key
        self._secret = _Secret(app_secret)
        self.sign_method = sign_method
        self.session = session
        self.timeout = timeout
        self.http = http if http is not None else requests.Session()
        #: Injectable so tests can play a host whose clock is off.
        self.clock = clock
        #: Extra CA bundle. Passed per request: requests lets $REQUESTS_CA_BUNDLE override a
        #: session-wide ``verify``.
        self.ca_file = ca_file

    def __repr__(self) -> str:
        return (
            f"TopClient(gateway_url={self.gateway_url!r}, app_key={self.app_key!r}, "
            f"sign_method={self.sign_method!r}, session={'set' if self.session else None})"
        )

    __str__ = __repr__

    def request_options(self) -> dict[str, object]:
        """Per-request options: the CA bundle, and no redirects (a TOP router never sends one,
        and following one would send the signed call to wherever it points)."""
        options: dict[str, object] = {"allow_redirects": False}
        if self.ca_file:
            options["verify"] = self.ca_file
        return options

    def signed_params(self, method: str, params: dict[str, object]) -> dict[str, object]:
        """System parameters plus ``params``, with ``sign`` added."""
        full: dict[str, object] = {
            "method": method,
            "app_key": self.app_key,
            "timestamp": top_timestamp(self.clock()),
            "format": "json",
            "v": "2.0",
            "sign_method": self.sign_method,
        }
        if self.session:
            full["session"] = self.session
        full.update({key: value for key, value in params.items() if value is not None})
        full["sign"] = sign(full, self._secret.reveal(), self.sign_method)
        return full

    def call(self, method: str, **params: object) -> dict[str, Any]:
        """Call ``method`` and return the inner response object; raise TopError on an error."""
        body = self.post(self.signed_params(method, params), method)
        return unwrap(body, method)

    def post(self, params: dict[str, object], method: str) -> dict[str, Any]:
        """Send already-signed ``params``; return the decoded JSON body."""
        fields = {k: param_text(v) for k, v in params.items() if not is_file_value(v)}
        files = {k: v for k, v in params.items() if is_file_value(v)}
        started = time.perf_counter()
        try:
            answer = self.http.post(
                self.gateway_url,
                data=fields,
                files=files or None,
                timeout=self.timeout,
                **self.request_options(),
            )
        except requests.RequestException as exc:
            raise TopTransportError(f"{method}: {type(exc).__name__}: {exc}") from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug(
            "TOP %s app_key=%s -> HTTP %s in %.0f ms",
            method,
            self.app_key,
            answer.status_code,
            elapsed_ms,
        )
        return decode(answer, method)


def decode(answer: requests.Response, method: str) -> dict[str, Any]:
    try:
        body = answer.json()
    except (ValueError, json.JSONDecodeError):
        raise TopTransportError(
            f"{method}: HTTP {answer.status_code} with a non-JSON body from {answer.url}"
        ) from None
    if not isinstance(body, dict):
        raise TopTransportError(f"{method}: unexpected JSON body from {answer.url}")
    return body


def unwrap(body: dict[str, Any], method: str) -> dict[str, Any]:
    """Return the ``<method>_response`` object, or raise the ``error_response`` as TopError."""
    if "error_response" in body:
        raise error_from_envelope(body["error_response"])
    key = response_key(method)
    if isinstance(body.get(key), dict):
        return body[key]
    raise TopTransportError(f"{method}: the answer has neither {key} nor error_response")


def error_from_envelope(error: dict[str, Any]) -> TopError:
    try:
        code = int(error.get("code", 0))
    except (TypeError, ValueError):
        code = 0
    return TopError(
        code=code,
        sub_code=error.get("sub_code"),
        msg=error.get("msg"),
        sub_msg=error.get("sub_msg"),
        request_id=error.get("request_id"),
    )
