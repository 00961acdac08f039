"""Advice a person can act on, for each failure the checker can meet."""

from top.errors import TopError
from top.rules import rule_broken

SANDBOX_HINT = "sandbox and production have different APP keys and secrets"

_ADVICE: dict[int, str] = {
    7: "code 7: the APP hit its call limit — wait until the ban in sub_msg ends, spread calls "
    "out over time, or ask Tmall Global for a higher limit",
    10: "code 10: the TOP service is unavailable — retry later with backoff",
    11: "code 11: the APP is not granted {api} — request the API in the onboarding desk's API "
    "access step (or the TOP console) and check again once it is approved",
    12: "code 12: the seller has not authorized this APP for {api} — have the seller authorize "
    "the APP again and use the new session key",
    15: "code 15: the remote service failed ({sub_code}) — isp.* errors are server-side and can "
    "be retried; isv.* errors mean the request itself needs fixing",
    21: "code 21: the request had no method parameter — use a TOP SDK or this desk's client",
    22: "code 22: the gateway does not know {api} — check the API name and that the APP's "
    "environment offers it",
    24: "code 24: the request carried no sign — every call must be signed",
    25: "code 25: the signature does not match — check the APP secret and sign_method; "
    "non-ASCII values must be signed as UTF-8 ({sandbox})",
    26: "code 26: {api} needs a seller session — pass --session with a session key from the "
    "seller's authorization of the APP",
    27: "code 27: the session key is invalid or expired — have the seller authorize the APP "
    "again and use the new session key",
    28: "code 28: the request carried no app_key",
    29: "code 29: the gateway does not know APP key {app_key} — check the key in the TOP console "
    "({sandbox})",
    30: "code 30: the request carried no timestamp",
    31: "code 31: the timestamp was refused — sync this host's clock with NTP; the gateway "
    "allows 10 minutes of skew and timestamps are written in GMT+8",
    32: "code 32: the request carried no v parameter — send v=2.0",
    33: "code 33: the protocol version is wrong — send v=2.0",
    40: "code 40: a required argument is missing ({sub_msg})",
    41: "code 41: an argument is invalid ({sub_msg})",
    43: "code 43: a parameter is wrong ({sub_msg})",
}


def advice_for(error: TopError, api: str = "the API", app_key: str = "") -> str:
    """The advice for a TOP error answer; a broken usage rule of ``api`` is named as such."""
    rule = rule_broken(api, error.sub_code)
    if rule is not None:
        return f"code {error.code}: {rule.advice}"
    template = _ADVICE.get(error.code)
    if template is None:
        retry = " — it is server-side and can be retried" if error.retryable else ""
        return f"code {error.code}: {error.msg}{retry}"
    return template.format(
        api=api,
        app_key=app_key,
        sub_code=error.sub_code or "no sub_code",
        sub_msg=error.sub_msg or error.msg,
        sandbox=SANDBOX_HINT,
    )


def dns_advice(host: str) -> str:
    return (
        f"cannot resolve {host} — check the gateway name for typos and this host's DNS "
        "resolver (the real gateways are gw.api.taobao.com, eco.taobao.com, "
        "gw.api.tbsandbox.com and api.taobao.com)"
    )


def refused_advice(host: str, port: int) -> str:
    return (
        f"{host}:{port} refused the connection — nothing listens there; check the port in the "
        "gateway URL, and any proxy or firewall between this host and the gateway"
    )


def unreachable_advice(host: str, port: int) -> str:
    return (
        f"{host}:{port} is unreachable from this host — check its network route, proxy settings "
        "and outbound firewall rules"
    )


def timeout_advice(host: str, port: int, timeout: float) -> str:
    return (
        f"no answer from {host}:{port} within {timeout:g} s — outbound traffic is probably "
        "blocked; open the port in the firewall or cloud security group"
    )


def tls_advice(detail: str) -> str:
    return (
        f"the TLS handshake failed ({detail}) — check the system CA certificates and the clock, "
        "and that no proxy intercepts TLS"
    )


def http_advice(url: str) -> str:
    return (
        f"{url} does not answer like a TOP router — the path must be /router/rest; a proxy or "
        "captive portal may be answering instead"
    )
