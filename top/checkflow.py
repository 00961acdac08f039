"""One checker run: the ordered steps and how each reads the gateway's answer."""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from top.advice import Advice, advice, error_advice, rule_advice
from top.client import TopClient
from top.egress import EgressPolicy, GuardedSession
from top.errors import TopError, TopTransportError
from top.network import Target, check_dns, check_http, check_tcp, check_tls
from top.probes import probe_for
from top.report import CheckResult
from top.rules import (
    UsageRule,
    needs_customer_authorization,
    probed_rules,
    rule_broken,
)
from top.signing import parse_top_timestamp

MAX_SKEW = timedelta(minutes=10)
#: Skew worth a warning even though the gateway still accepts it.
SKEW_WARNING = timedelta(minutes=1)
#: Why later steps are skipped, keyed by the step that failed.
BLOCKING = {
    "dns": "DNS resolution failed",
    "tcp": "the TCP connection failed",
    "tls": "the TLS handshake failed",
    "http": "the URL does not answer like a TOP gateway",
    "app_key_signature": "the APP key and signature check failed",
}
#: The sub_code of an API the checker reports without calling it (it has no probe for it).
NO_PROBE = "checker.no-probe"
SESSION_APIS = ("taobao.user.seller.get", "taobao.trades.sold.get")


@dataclass(frozen=True)
class CallOutcome:
    answer: dict[str, Any] | None
    error: TopError | None
    transport_error: str | None
    latency_ms: float
    local_time: datetime


class CheckRun:
    def __init__(
        self,
        client: TopClient,
        apis: list[str],
        timeout: float,
        ca_file: str | None,
        rules: bool = False,
        egress: EgressPolicy | None = None,
    ):
        self.client = client
        self.apis = apis
        #: Also prove that the gateway enforces each API's usage rules (``top.rules``).
        self.rules = rules
        self.timeout = timeout
        self.ca_file = ca_file
        #: Set when the URL came from a user: addresses are judged and connections pinned.
        self.egress = egress
        self.target = Target.from_url(client.gateway_url)
        self.addresses: list[str] = []
        self.address = ""
        self.server_date: datetime | None = None
        self._time_outcome: CallOutcome | None = None

    def steps(self) -> list[tuple[str, Callable[[], CheckResult]]]:
        steps: list[tuple[str, Callable[[], CheckResult]]] = [
            ("dns", self.dns),
            ("tcp", self.tcp),
        ]
        if self.target.is_https:
            steps.append(("tls", self.tls))
        steps += [("http", self.http), ("clock", self.clock), ("app_key_signature", self.signature)]
        if self.client.session:
            steps.append(("session", self.session))
        for method in dict.fromkeys(self.apis):
            steps.append((f"api:{method}", lambda method=method: self.api(method)))
        if self.rules:
            for rule in probed_rules(self.apis):
                steps.append((f"rule:{rule.api}:{rule.key}", lambda rule=rule: self.rule(rule)))
        return steps

    def execute(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        blocked_by = ""
        for name, step in self.steps():
            if blocked_by:
                results.append(CheckResult(name, False, message=skipped_message(blocked_by)))
                continue
            result = step()
            results.append(result)
            if not result.ok and name in BLOCKING:
                blocked_by = name
        return results

    def dns(self) -> CheckResult:
        result, self.addresses = check_dns(self.target, self.egress)
        return result

    def tcp(self) -> CheckResult:
        guarded = self.egress is not None
        result, self.address = check_tcp(self.target, self.addresses, self.timeout, guarded)
        if self.address and isinstance(self.client.http, GuardedSession):
            # Every later call goes to the address resolved and judged here, not to a new answer.
            self.client.http.pin(self.target.host, self.target.port, [self.address])
        return result

    def tls(self) -> CheckResult:
        guarded = self.egress is not None
        return check_tls(self.target, self.address, self.timeout, self.ca_file, guarded)

    def http(self) -> CheckResult:
        result, self.server_date = check_http(self.client, self.target, self.timeout)
        return result

    def clock(self) -> CheckResult:
        outcome = self.time_get()
        if outcome.answer is not None:
            server = parse_top_timestamp(outcome.answer["time"])
            return self._skew_result(outcome, server, "taobao.time.get")
        if outcome.error is not None and outcome.error.code in (30, 31):
            return self._refused_timestamp(outcome, outcome.error)
        if self.server_date is not None:
            source = f"the HTTP Date header; taobao.time.get answered {_why(outcome)}"
            return self._skew_result(outcome, self.server_date, source)
        return _failed("clock", outcome, f"cannot measure the clock: {_why(outcome)}")

    def signature(self) -> CheckResult:
        outcome = self.time_get()
        if outcome.answer is not None:
            message = (
                f"APP key {self.client.app_key} accepted, {self.client.sign_method} "
                "signature verified"
            )
            return CheckResult("app_key_signature", True, outcome.latency_ms, message=message)
        error = outcome.error
        if error is not None and error.code in (30, 31):
            message = (
                "not verified: the gateway refused the timestamp before it looked at the "
                "signature (see the clock check)"
            )
            return _error_result("app_key_signature", outcome, error, message, error_advice(error))
        return _failed("app_key_signature", outcome, app_key=self.client.app_key)

    def session(self) -> CheckResult:
        outcome = self.call(SESSION_APIS[0], {"fields": "nick,user_id"})
        if outcome.error is not None and outcome.error.code == 11:
            outcome = self.call(SESSION_APIS[1], probe_for(SESSION_APIS[1]).arguments(self.now()))
        if outcome.answer is None:
            return _failed("session", outcome)
        nick = outcome.answer.get("user", {}).get("nick")
        message = f"session accepted (seller {nick})" if nick else "session accepted"
        return CheckResult("session", True, outcome.latency_ms, message=message)

    def api(self, method: str) -> CheckResult:
        result = self._api(method)
        if needs_customer_authorization(method) and not self.target.is_https:
            warning = advice("api.https-only", api=method)
            if result.advice:
                warning = Advice(result.advice_key, result.advice, result.advice_params) + warning
            result = replace(result, **warning.fields())
        return result

    def rule(self, rule: UsageRule) -> CheckResult:
        """Send a call that breaks ``rule`` (and can change nothing): TOP refuses it."""
        name = f"rule:{rule.api}:{rule.key}"
        assert rule.probe is not None
        outcome = self.call(rule.api, rule.probe(self.now()))
        error = outcome.error
        if error is not None and rule_broken(rule.api, error.sub_code) is rule:
            message = (
                f"enforced: {rule.text} The gateway refused a call that breaks it "
                f"({error.sub_msg or error.msg}), as TOP does; nothing was read or changed"
            )
            return CheckResult(
                name,
                True,
                outcome.latency_ms,
                error.code,
                error.sub_code,
                message,
                **rule_advice(rule).fields(),
            )
        if outcome.answer is not None:
            message = f"not enforced: the gateway answered a call that TOP refuses. {rule.text}"
            hint = rule_advice(rule) + advice("rule.not-enforced")
            return CheckResult(name, False, outcome.latency_ms, message=message, **hint.fields())
        return _failed(name, outcome, api=rule.api)

    def _api(self, method: str) -> CheckResult:
        name = f"api:{method}"
        probe = probe_for(method)
        if probe is None:
            # Not a failure: the APP may use any TOP API, the checker proves only those it knows.
            return CheckResult(
                name,
                True,
                sub_code=NO_PROBE,
                message=f"not checked: the checker has no probe for {method}, so it does not "
                "call it (it could read or change data)",
                **advice("api.no-probe", api=method).fields(),
            )
        outcome = self.call(method, probe.arguments(self.now()))
        error = outcome.error
        if outcome.answer is not None:
            return CheckResult(name, True, outcome.latency_ms, message=_summary(outcome.answer))
        if error is not None and probe.permission_only and error.code in (40, 41):
            message = (
                f"granted: the gateway asked for an argument ({error.sub_msg or error.msg}) "
                "that the checker leaves out on purpose, so nothing was read or changed"
            )
            return CheckResult(name, True, outcome.latency_ms, error.code, error.sub_code, message)
        return _failed(name, outcome, api=method)

    def time_get(self) -> CallOutcome:
        """One taobao.time.get serves both the clock and the signature check."""
        if self._time_outcome is None:
            self._time_outcome = self.call("taobao.time.get", {})
        return self._time_outcome

    def call(self, method: str, arguments: dict[str, object]) -> CallOutcome:
        started = time.perf_counter()
        before = self.now()
        answer, error, transport = None, None, None
        try:
            answer = self.client.call(method, **arguments)
        except TopError as exc:
            error = exc
        except TopTransportError as exc:
            transport = str(exc)
        latency = time.perf_counter() - started
        local = before + timedelta(seconds=latency / 2)
        return CallOutcome(answer, error, transport, round(latency * 1000, 1), local)

    def now(self) -> datetime:
        return self.client.clock()

    def _skew_result(self, outcome: CallOutcome, server: datetime, source: str) -> CheckResult:
        skew = outcome.local_time - server
        message = f"host clock is {_describe_skew(skew)} the gateway (from {source})"
        if abs(skew) > MAX_SKEW:
            return CheckResult(
                "clock",
                False,
                outcome.latency_ms,
                None,
                "clock.skew",
                message,
                **advice("clock.skew").fields(),
            )
        fields = advice("clock.skew").fields() if abs(skew) > SKEW_WARNING else {}
        return CheckResult("clock", True, outcome.latency_ms, message=message, **fields)

    def _refused_timestamp(self, outcome: CallOutcome, error: TopError) -> CheckResult:
        message = f"the gateway refused the timestamp ({error.sub_msg or error.msg})"
        if self.server_date is not None:
            skew = outcome.local_time - self.server_date
            message += f"; by its HTTP Date header this host is {_describe_skew(skew)} it"
        return _error_result("clock", outcome, error, message, error_advice(error))


def skipped_message(blocked_by: str) -> str:
    """The message of a step skipped because the step ``blocked_by`` failed."""
    return f"skipped: {BLOCKING[blocked_by]}"


def _describe_skew(skew: timedelta) -> str:
    seconds = skew.total_seconds()
    if abs(seconds) < 1:
        return "within a second of"
    direction = "ahead of" if seconds > 0 else "behind"
    return f"{abs(seconds):.0f} s {direction}"


def _why(outcome: CallOutcome) -> str:
    if outcome.error is not None:
        return f"code {outcome.error.code}"
    return outcome.transport_error or "no answer"


def _error_result(
    name: str, outcome: CallOutcome, error: TopError, message: str, hint: Advice
) -> CheckResult:
    return CheckResult(
        name, False, outcome.latency_ms, error.code, error.sub_code, message, **hint.fields()
    )


def _failed(name: str, outcome: CallOutcome, message: str = "", **context: str) -> CheckResult:
    if outcome.error is not None:
        hint = error_advice(outcome.error, **context)
        return _error_result(
            name, outcome, outcome.error, message or outcome.error.describe(), hint
        )
    return CheckResult(
        name,
        False,
        outcome.latency_ms,
        sub_code="net.transport",
        message=message or f"the call failed: {outcome.transport_error}",
        **advice("net.transport").fields(),
    )


def _summary(answer: dict[str, Any]) -> str:
    if "total_results" in answer:
        return f"answered normally ({answer['total_results']} results in total)"
    return "answered normally"
