"""The checker's advice in the reader's language, by the advice's key.

The checker (``top/``, Flask-free, English) gives each advice a key and its parameters beside the
English text (``top.advice.ADVICE``). Here each key has its catalog string, with the same
parameters as named placeholders. A check whose advice has a key this table knows is shown
translated; any other advice (a report from before keys, a checker newer than the desk) is shown
in the English it came with. Parameters come from the report (host names, the gateway's
``sub_msg``): the text is returned as plain text, which the page escapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from top.advice import KEY_SEPARATOR
from top.checkflow import BLOCKING, skipped_message
from workflow.i18n import _, _l

#: The advice's text by key: ``%(name)s`` stands for the parameter ``name``.
TEXTS = {
    "top.code.7": _l(
        "code 7: the APP hit its call limit — wait until the ban in sub_msg ends, spread calls "
        "out over time, or ask Tmall Global for a higher limit"
    ),
    "top.code.10": _l("code 10: the TOP service is unavailable — retry later with backoff"),
    "top.code.11": _l(
        "code 11: the APP is not granted %(api)s — request the API in the onboarding desk's API "
        "access step (or the TOP console) and check again once it is approved"
    ),
    "top.code.12": _l(
        "code 12: the seller has not authorized this APP for %(api)s — have the seller "
        "authorize the APP again and use the new session key"
    ),
    "top.code.15": _l(
        "code 15: the remote service failed (%(sub_code)s) — isp.* errors are server-side and "
        "can be retried; isv.* errors mean the request itself needs fixing"
    ),
    "top.code.15.no-sub-code": _l(
        "code 15: the remote service failed (no sub_code) — isp.* errors are server-side and "
        "can be retried; isv.* errors mean the request itself needs fixing"
    ),
    "top.code.21": _l(
        "code 21: the request had no method parameter — use a TOP SDK or this desk's client"
    ),
    "top.code.22": _l(
        "code 22: the gateway does not know %(api)s — check the API name and that the APP's "
        "environment offers it"
    ),
    "top.code.24": _l("code 24: the request carried no sign — every call must be signed"),
    "top.code.25": _l(
        "code 25: the signature does not match — check the APP secret and sign_method; "
        "non-ASCII values must be signed as UTF-8 (sandbox and production have different APP "
        "keys and secrets)"
    ),
    "top.code.26": _l(
        "code 26: %(api)s needs a seller session — pass --session with a session key from the "
        "seller's authorization of the APP"
    ),
    "top.code.27": _l(
        "code 27: the session key is invalid or expired — have the seller authorize the APP "
        "again and use the new session key"
    ),
    "top.code.28": _l("code 28: the request carried no app_key"),
    "top.code.29": _l(
        "code 29: the gateway does not know APP key %(app_key)s — check the key in the TOP "
        "console (sandbox and production have different APP keys and secrets)"
    ),
    "top.code.30": _l("code 30: the request carried no timestamp"),
    "top.code.31": _l(
        "code 31: the timestamp was refused — sync this host's clock with NTP; the gateway "
        "allows 10 minutes of skew and timestamps are written in GMT+8"
    ),
    "top.code.32": _l("code 32: the request carried no v parameter — send v=2.0"),
    "top.code.33": _l("code 33: the protocol version is wrong — send v=2.0"),
    "top.code.40": _l("code 40: a required argument is missing (%(sub_msg)s)"),
    "top.code.41": _l("code 41: an argument is invalid (%(sub_msg)s)"),
    "top.code.43": _l("code 43: a parameter is wrong (%(sub_msg)s)"),
    "top.code.other": _l("code %(code)s: %(msg)s"),
    "top.code.other.retryable": _l("code %(code)s: %(msg)s — it is server-side and can be retried"),
    "net.dns": _l(
        "cannot resolve %(host)s — check the gateway name for typos and this host's DNS "
        "resolver (the real gateways are gw.api.taobao.com, eco.taobao.com, gw.api.tbsandbox.com "
        "and api.taobao.com)"
    ),
    "net.refused": _l(
        "%(host)s:%(port)s refused the connection — nothing listens there; check the port in "
        "the gateway URL, and any proxy or firewall between this host and the gateway"
    ),
    "net.unreachable": _l(
        "%(host)s:%(port)s is unreachable from this host — check its network route, proxy "
        "settings and outbound firewall rules"
    ),
    "net.timeout": _l(
        "no answer from %(host)s:%(port)s within %(timeout)s s — outbound traffic is probably "
        "blocked; open the port in the firewall or cloud security group"
    ),
    "net.address-refused": _l(
        "use the gateway's public name or address: this desk connects only to public "
        "addresses; an operator can allow a network with ONBOARDING_TOP_CHECKER_ALLOWED_NETWORKS"
    ),
    "net.transport": _l("the gateway stopped answering properly — check the network and retry"),
    "tls.failed": _l(
        "the TLS handshake failed (%(detail)s) — check the system CA certificates and the "
        "clock, and that no proxy intercepts TLS"
    ),
    "tls.expires-soon": _l(
        "the gateway certificate expires soon — expect TLS errors if it is not renewed"
    ),
    "http.not-top": _l(
        "%(url)s does not answer like a TOP router — the path must be /router/rest; a proxy or "
        "captive portal may be answering instead"
    ),
    "clock.skew": _l(
        "sync this host's clock with NTP (e.g. chrony or systemd-timesyncd); the gateway "
        "refuses timestamps more than 10 minutes off, and they are written in GMT+8"
    ),
    "api.no-probe": _l("check %(api)s by hand against the sandbox gateway (guide L4)"),
    "api.https-only": _l(
        "called over http, but %(api)s needs the customer's authorization and TOP serves it "
        "over https only (guide §3.1 a): use an https:// gateway such as "
        "https://eco.taobao.com/router/rest"
    ),
    "rule.not-enforced": _l(
        "this gateway does not refuse such calls, so an APP tested only against it may fail on TOP"
    ),
    # The usage rules' advice (``top.rules.RULES``).
    "rule.taobao.trades.sold.get.three-months": _l(
        "taobao.trades.sold.get reaches back 3 months only (guide §4.1): keep start_created "
        "within the last 90 days, and keep older orders in the APP's own store"
    ),
    "rule.taobao.trades.sold.increment.get.one-day": _l(
        "taobao.trades.sold.increment.get accepts at most one day between start_modified and "
        "end_modified, within the last 3 months (guide §4.1.2): split a longer span into "
        "one-day slices, and initialise older history once with taobao.trades.sold.get"
    ),
    "rule.taobao.logistics.offline.send.no-cod": _l(
        "taobao.logistics.offline.send does not ship cash-on-delivery orders (guide §4.2.2): "
        "ship them in the Taobao online delivery system (L8)"
    ),
    "rule.taobao.logistics.offline.send.split": _l(
        "a split shipment takes is_split=1 together with sub_tid, the order's own sub-order IDs "
        "(oid) comma-separated (guide §4.2.3 b); an order shipped in one piece takes neither, "
        "and the rest of a partly shipped order ships as a split"
    ),
    "rule.taobao.logistics.orders.detail.get.query": _l(
        "taobao.logistics.orders.detail.get selects by buyer_nick, tid or a time frame whose "
        "end_created is not before its start_created (guide §4.2.1)"
    ),
}
#: A usage rule's advice after the code of the error that said the rule was broken.
BROKEN_RULE_SUFFIX = ".broken"
BROKEN_RULE = _l("code %(code)s: %(rule)s")
#: Two parts of one advice.
BOTH_PARTS = _l("%(first)s; %(then)s")


def _defaults() -> dict[str, Any]:
    """What a parameter the checker did not know reads as (``top.advice.DEFAULTS``)."""
    return {"api": _("the API"), "app_key": ""}


def known(key: str) -> bool:
    """Whether every part of the advice ``key`` has its text here."""
    return all(_template(part) is not None for part in key.split(KEY_SEPARATOR))


def _template(part: str) -> tuple[Any, str | None] | None:
    """The part's catalog string, and for a broken rule the key of the rule's own advice."""
    if part in TEXTS:
        return TEXTS[part], None
    base = part.removesuffix(BROKEN_RULE_SUFFIX)
    if base != part and base.startswith("rule.") and base in TEXTS:
        return BROKEN_RULE, base
    return None


def _part(part: str, params: Mapping[str, Any]) -> str | None:
    found = _template(part)
    if found is None:
        return None
    template, rule = found
    values = {**_defaults(), **params}
    if rule is not None:
        values["rule"] = str(TEXTS[rule])
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):  # a translation or a report out of step
        return None


def translated(key: str, params: Mapping[str, Any]) -> str | None:
    """The advice ``key`` in the reader's language, or None when a part is unknown."""
    parts = [_part(part, params) for part in key.split(KEY_SEPARATOR)]
    if not parts or any(part is None for part in parts):
        return None
    text = parts[0]
    for then in parts[1:]:
        text = str(BOTH_PARTS) % {"first": text, "then": then}
    return text


#: Why the checker skipped a step, by the step whose failure made it meaningless
#: (``top.checkflow.BLOCKING``).
SKIPPED = {
    "dns": _l("skipped: DNS resolution failed"),
    "tcp": _l("skipped: the TCP connection failed"),
    "tls": _l("skipped: the TLS handshake failed"),
    "http": _l("skipped: the URL does not answer like a TOP gateway"),
    "app_key_signature": _l("skipped: the APP key and signature check failed"),
}
_SKIPPED_BY_MESSAGE = {skipped_message(step): step for step in BLOCKING}


def _field(check: Any, name: str) -> Any:
    return check.get(name) if isinstance(check, Mapping) else getattr(check, name, None)


def check_message(check: Any) -> str:
    """A checker row's message for the page: a skipped step's reason in the reader's language
    (the checker writes it from a closed table); any other message as the report has it."""
    message = _field(check, "message") or ""
    step = _SKIPPED_BY_MESSAGE.get(message)
    return str(SKIPPED[step]) if step in SKIPPED and not _field(check, "ok") else message


def check_advice(check: Any) -> str | None:
    """A checker row's advice for the page: by its key where known, else its English."""

    english = _field(check, "advice")
    key = _field(check, "advice_key")
    if not english or not key:
        return english or None
    params = _field(check, "advice_params")
    return translated(key, params if isinstance(params, Mapping) else {}) or english
