"""Advice a person can act on, for each failure the checker can meet.

:data:`ADVICE` is the one table: each advice's key and its English template. The checker's
results carry the key and the parameters beside the English text formatted from the template,
so the CLI prints the English and the desk's pages translate the advice by its key (the
templates' ``{name}`` placeholders are the parameters' names). Advice made of several parts
has their keys joined by ``+`` and their texts by ``; ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from top.egress import REFUSAL_ADVICE
from top.errors import TopError
from top.rules import HTTPS_ONLY_ADVICE, RULES, UsageRule, rule_broken

SANDBOX_HINT = "sandbox and production have different APP keys and secrets"
#: What joins the texts of advice made of several parts, and their keys.
PART_SEPARATOR = "; "
KEY_SEPARATOR = "+"
#: The value a parameter takes when the checker does not know it; the desk translates these.
DEFAULTS: dict[str, str] = {"api": "the API", "app_key": ""}

Param = str | int

_CODES: dict[int, str] = {
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
    f"non-ASCII values must be signed as UTF-8 ({SANDBOX_HINT})",
    26: "code 26: {api} needs a seller session — pass --session with a session key from the "
    "seller's authorization of the APP",
    27: "code 27: the session key is invalid or expired — have the seller authorize the APP "
    "again and use the new session key",
    28: "code 28: the request carried no app_key",
    29: "code 29: the gateway does not know APP key {app_key} — check the key in the TOP console "
    f"({SANDBOX_HINT})",
    30: "code 30: the request carried no timestamp",
    31: "code 31: the timestamp was refused — sync this host's clock with NTP; the gateway "
    "allows 10 minutes of skew and timestamps are written in GMT+8",
    32: "code 32: the request carried no v parameter — send v=2.0",
    33: "code 33: the protocol version is wrong — send v=2.0",
    40: "code 40: a required argument is missing ({sub_msg})",
    41: "code 41: an argument is invalid ({sub_msg})",
    43: "code 43: a parameter is wrong ({sub_msg})",
}


def _literal(text: str) -> str:
    """``text`` as a template without placeholders."""
    return text.replace("{", "{{").replace("}", "}}")


def rule_key(rule: UsageRule) -> str:
    return f"rule.{rule.api}.{rule.key}"


ADVICE: dict[str, str] = {
    **{f"top.code.{code}": template for code, template in _CODES.items()},
    "top.code.15.no-sub-code": _CODES[15].replace("{sub_code}", "no sub_code"),
    "top.code.other": "code {code}: {msg}",
    "top.code.other.retryable": "code {code}: {msg} — it is server-side and can be retried",
    "net.dns": "cannot resolve {host} — check the gateway name for typos and this host's DNS "
    "resolver (the real gateways are gw.api.taobao.com, eco.taobao.com, gw.api.tbsandbox.com "
    "and api.taobao.com)",
    "net.refused": "{host}:{port} refused the connection — nothing listens there; check the "
    "port in the gateway URL, and any proxy or firewall between this host and the gateway",
    "net.unreachable": "{host}:{port} is unreachable from this host — check its network route, "
    "proxy settings and outbound firewall rules",
    "net.timeout": "no answer from {host}:{port} within {timeout} s — outbound traffic is "
    "probably blocked; open the port in the firewall or cloud security group",
    "net.address-refused": "use the gateway's public name or address: " + _literal(REFUSAL_ADVICE),
    "net.transport": "the gateway stopped answering properly — check the network and retry",
    "tls.failed": "the TLS handshake failed ({detail}) — check the system CA certificates and "
    "the clock, and that no proxy intercepts TLS",
    "tls.expires-soon": "the gateway certificate expires soon — expect TLS errors if it is not "
    "renewed",
    "http.not-top": "{url} does not answer like a TOP router — the path must be /router/rest; "
    "a proxy or captive portal may be answering instead",
    "clock.skew": "sync this host's clock with NTP (e.g. chrony or systemd-timesyncd); the "
    "gateway refuses timestamps more than 10 minutes off, and they are written in GMT+8",
    "api.no-probe": "check {api} by hand against the sandbox gateway (guide L4)",
    "api.https-only": HTTPS_ONLY_ADVICE,
    "rule.not-enforced": "this gateway does not refuse such calls, so an APP tested only "
    "against it may fail on TOP",
    # Each usage rule's advice, alone (a rule proved) and after the code of the error that
    # says it was broken.
    **{rule_key(rule): _literal(rule.advice) for rule in RULES if rule.advice},
    **{
        f"{rule_key(rule)}.broken": "code {code}: " + _literal(rule.advice)
        for rule in RULES
        if rule.advice
    },
}


@dataclass(frozen=True)
class Advice:
    """One advice: its key (None for advice not in the table), its English text and the
    parameters the text was formatted with."""

    key: str | None
    text: str
    params: dict[str, Param] = field(default_factory=dict, hash=False)

    def fields(self) -> dict[str, Any]:
        """The advice as :class:`~top.report.CheckResult` keyword arguments."""
        params = dict(self.params) if self.key is not None else {}
        return {"advice": self.text, "advice_key": self.key, "advice_params": params}

    def __add__(self, other: Advice) -> Advice:
        """Both advices, one after the other; keyed only when both parts are."""
        text = f"{self.text}{PART_SEPARATOR}{other.text}"
        if self.key is None or other.key is None:
            return Advice(None, text)
        return Advice(
            f"{self.key}{KEY_SEPARATOR}{other.key}", text, {**self.params, **other.params}
        )


def placeholders(template: str) -> list[str]:
    return [name for _text, name, _spec, _conv in Formatter().parse(template) if name]


def advice(key: str, template: str | None = None, **params: Param | None) -> Advice:
    """The advice ``key`` with ``params``; those the template does not name are left out.

    ``template`` is for advice that may not be in the table (a usage rule made up by a test):
    such advice has no key, and the desk shows its English.
    """
    template = ADVICE[key] if template is None else template
    values: dict[str, Param] = {}
    for name in placeholders(template):
        value = params.get(name)
        values[name] = DEFAULTS.get(name, "") if value is None else value
    used = {name: value for name, value in values.items() if params.get(name) is not None}
    if key not in ADVICE or ADVICE[key] != template:
        return Advice(None, template.format(**values))
    return Advice(key, template.format(**values), used)


def error_advice(error: TopError, api: str | None = None, app_key: str = "") -> Advice:
    """The advice for a TOP error answer; a broken usage rule of ``api`` is named as such."""
    rule = rule_broken(api or "", error.sub_code)
    if rule is not None:
        return advice(
            f"{rule_key(rule)}.broken", "code {code}: " + _literal(rule.advice), code=error.code
        )
    key = f"top.code.{error.code}"
    if error.code == 15 and not error.sub_code:
        key = "top.code.15.no-sub-code"
    if key not in ADVICE:
        key = "top.code.other.retryable" if error.retryable else "top.code.other"
    return advice(
        key,
        code=error.code,
        msg=error.msg,
        api=api,
        app_key=app_key or None,
        sub_code=error.sub_code,
        sub_msg=error.sub_msg or error.msg,
    )


def advice_for(error: TopError, api: str = "the API", app_key: str = "") -> str:
    """The English advice for a TOP error answer (see :func:`error_advice`)."""
    return error_advice(error, None if api == DEFAULTS["api"] else api, app_key).text


def rule_advice(rule: UsageRule) -> Advice:
    """What to do to keep to ``rule``."""
    return advice(rule_key(rule), _literal(rule.advice))


def dns_advice(host: str) -> Advice:
    return advice("net.dns", host=host)


def refused_advice(host: str, port: int) -> Advice:
    return advice("net.refused", host=host, port=port)


def unreachable_advice(host: str, port: int) -> Advice:
    return advice("net.unreachable", host=host, port=port)


def timeout_advice(host: str, port: int, timeout: float) -> Advice:
    return advice("net.timeout", host=host, port=port, timeout=f"{timeout:g}")


def tls_advice(detail: str) -> Advice:
    return advice("tls.failed", detail=detail)


def http_advice(url: str) -> Advice:
    return advice("http.not-top", url=url)
