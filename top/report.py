"""The checker's result types."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    latency_ms: float | None = None
    #: The TOP error code when the gateway answered with one.
    code: int | None = None
    #: The TOP sub_code, or a local one (``net.*``, ``tls.*``) for network failures.
    sub_code: str | None = None
    message: str = ""
    #: What a person can do about it; None when there is nothing to do.
    advice: str | None = None
    #: Which advice it is (``top.advice.ADVICE``), so the desk can show it in its reader's
    #: language; None for advice without a key.
    advice_key: str | None = None
    #: The values the advice's text was formatted with, by placeholder name.
    advice_params: dict[str, str | int] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON: the English advice only, as it always was."""
        body = asdict(self)
        del body["advice_key"], body["advice_params"]
        return body

    def to_evidence(self) -> dict[str, Any]:
        """What signed evidence records: :meth:`to_dict` and, when the advice has one, its key
        and parameters."""
        body = self.to_dict()
        if self.advice_key is not None:
            body["advice_key"] = self.advice_key
            body["advice_params"] = dict(self.advice_params)
        return body


@dataclass
class CheckReport:
    gateway: str
    checks: list[CheckResult] = field(default_factory=list)
    #: Which APP was checked; kept out of :meth:`to_dict`, whose shape is fixed.
    app_key: str = ""
    #: The gateway address the checker connected to (or resolved), for signed evidence.
    gateway_address: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def check(self, name: str) -> CheckResult:
        return next(check for check in self.checks if check.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gateway": self.gateway,
            "ok": self.ok,
            "checks": [check.to_dict() for check in self.checks],
        }
