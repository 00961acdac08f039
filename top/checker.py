"""The TOP connectivity checker: proves, step by step, that an APP can use a gateway.

Checks run in order: DNS, TCP, TLS (https only), the gateway's HTTP answer, clock skew,
APP key and signature, the session (when given), then each API asked for. When a step fails
in a way that makes later steps meaningless, those are reported as skipped, with the reason.
"""

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import requests

from top.checkflow import CheckRun
from top.client import Clock, TopClient, resolve_gateway, utc_now
from top.egress import EgressPolicy, GuardedSession
from top.report import CheckReport, CheckResult

DEFAULT_CHECK_TIMEOUT = 10.0
MAX_WORKERS = 64


def run_check(
    gateway: str,
    app_key: str,
    app_secret: str,
    sign_method: str = "hmac-sha256",
    session: str | None = None,
    apis: Iterable[str] = (),
    timeout: float = DEFAULT_CHECK_TIMEOUT,
    clock: Clock = utc_now,
    ca_file: str | None = None,
    rules: bool = False,
    egress: EgressPolicy | None = None,
) -> CheckReport:
    """Check one APP against one gateway. ``clock`` stands for the host clock (tests skew it).

    With ``rules``, each API's usage rules that a harmless call can prove (``top.rules``) are
    checked too: the gateway must refuse a call that breaks them, as TOP does.

    ``egress`` is for a gateway URL that someone else typed: the run then reaches only the
    addresses the policy permits (``top.egress``).
    """
    url = resolve_gateway(gateway)
    with requests.Session() if egress is None else GuardedSession(egress) as http:
        client = TopClient(
            url, app_key, app_secret, sign_method, session, timeout, http, clock, ca_file
        )
        run = CheckRun(client, list(apis), timeout, ca_file, rules, egress)
        checks = run.execute()
    address = run.address or (run.addresses[0] if run.addresses else "")
    scrubbed = [_scrub(check, app_secret) for check in checks]
    return CheckReport(url, scrubbed, app_key=app_key, gateway_address=address)


def run_checks_concurrently(
    check_kwargs: Sequence[dict[str, Any]], max_workers: int | None = None
) -> list[CheckReport]:
    """Run :func:`run_check` for many APPs on a thread pool; reports keep the input order."""
    if not check_kwargs:
        return []
    workers = max_workers or min(MAX_WORKERS, len(check_kwargs))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="top-check") as pool:
        return list(pool.map(lambda kwargs: run_check(**kwargs), check_kwargs))


def _scrub(check: CheckResult, secret: str) -> CheckResult:
    """Belt and braces: no message may echo the secret, whatever an exception said."""
    if len(secret) < 4:
        return check
    message = check.message.replace(secret, "***")
    advice = check.advice.replace(secret, "***") if check.advice else check.advice
    params = {
        name: value.replace(secret, "***") if isinstance(value, str) else value
        for name, value in check.advice_params.items()
    }
    return replace(check, message=message, advice=advice, advice_params=params)
