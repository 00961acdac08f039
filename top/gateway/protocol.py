"""The TOP protocol checks, in the order the local gateway makes them.

method → app key → timestamp → version → signature → known API → rate limit → API permission
→ session → the API's own arguments. Permission comes before arguments on purpose: that is what
lets the checker ask about ``taobao.logistics.offline.send`` without shipping anything.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from top.client import response_key
from top.gateway.dataset import Dataset
from top.gateway.errors import GatewayError
from top.gateway.faults import Faults
from top.gateway.handlers import APIS, Call
from top.signing import SIGN_METHODS, parse_top_timestamp, sign

#: The gateway refuses timestamps further than this from its own clock.
MAX_SKEW = timedelta(minutes=10)


@dataclass
class GatewayState:
    apps: dict[str, str]
    sessions: dict[str, str]
    faults: Faults
    dataset: Dataset


def answer(params: Mapping[str, str], state: GatewayState, now: datetime) -> dict[str, Any]:
    """The JSON body for one call: a ``<method>_response`` or an ``error_response``."""
    try:
        call = verify(dict(params), state, now)
        return {response_key(call.method): APIS[call.method].handler(call)}
    except GatewayError as error:
        return error.envelope()


def verify(params: dict[str, str], state: GatewayState, now: datetime) -> Call:
    method = _required(params, "method", 21)
    app_key = _required(params, "app_key", 28)
    if app_key not in state.apps:
        raise GatewayError(29, "isv.appkey-not-exists", f"app key {app_key} does not exist")
    _check_timestamp(_required(params, "timestamp", 30), now)
    if _required(params, "v", 32) != "2.0":
        raise GatewayError(33, "isv.invalid-version", "only v=2.0 is supported")
    _check_signature(params, state.apps[app_key])
    if method not in APIS:
        raise GatewayError(22, "isv.method-not-exists", f"no API named {method}")
    _check_rate_limit(state.faults, app_key)
    if state.faults.is_refused(app_key, method):
        raise GatewayError(
            11, "isv.permission-api-package-limit", f"the APP has not been granted {method}"
        )
    seller_nick = _check_session(params, state, method)
    return Call(method, params, app_key, seller_nick, now, state.dataset)


def _required(params: Mapping[str, str], name: str, code: int) -> str:
    value = params.get(name, "")
    if not value:
        raise GatewayError(code)
    return value


def _check_timestamp(text: str, now: datetime) -> None:
    try:
        moment = (
            datetime.fromtimestamp(int(text) / 1000, UTC)
            if text.isdigit()
            else parse_top_timestamp(text)
        )
    except (ValueError, OverflowError):
        raise GatewayError(31, "isv.invalid-timestamp", "use yyyy-MM-dd HH:mm:ss (GMT+8)") from None
    skew = moment - now
    if abs(skew) > MAX_SKEW:
        raise GatewayError(
            31,
            "isv.invalid-timestamp",
            f"timestamp is {skew.total_seconds():+.0f} s off the gateway clock; "
            "at most 600 s allowed",
        )


def _check_signature(params: dict[str, str], secret: str) -> None:
    given = _required(params, "sign", 24)
    method = params.get("sign_method") or "md5"
    if method not in SIGN_METHODS:
        raise GatewayError(25, "isv.invalid-sign-method", f"unsupported sign_method {method}")
    expected = sign(params, secret, method)
    if not hmac.compare_digest(given.upper().encode(), expected.encode()):
        raise GatewayError(25)


def _check_rate_limit(faults: Faults, app_key: str) -> None:
    ban = faults.take_call(app_key)
    if ban is not None:
        raise GatewayError(
            7,
            "accesscontrol.limited-by-app-access-count",
            f"This ban will last for {max(1, round(ban))} more seconds",
        )


def _check_session(params: Mapping[str, str], state: GatewayState, method: str) -> str | None:
    session = params.get("session", "")
    if not APIS[method].needs_session:
        return state.sessions.get(session)
    if not session:
        raise GatewayError(26)
    if session not in state.sessions or state.faults.is_expired(session):
        raise GatewayError(27, "invalid-sessionkey", "session key is invalid or has expired")
    return state.sessions[session]
