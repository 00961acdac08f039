"""The strict schema of a signed checker report, for uploads and for stored evidence alike.

Anything that is not exactly a report (wrong types, unknown fields, deep nesting, oversized
texts, NaN, huge numbers) is refused with the first problem named. Stored evidence is read
through the same schema, so a row edited by hand shows its problem instead of breaking a page.

Each problem is a lazy catalog message with named parameters, so it reads in the language of
whoever is shown it; a problem's ``code`` tells the kinds apart without reading its words.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from top.evidence import (
    ADVICE_KEY_PATTERN,
    ALGORITHM,
    FORMAT,
    MAX_ADDRESSES,
    MAX_ADVICE_KEY,
    MAX_CHECKS,
    MAX_PARAM_TEXT,
    MAX_PARAMS,
    MAX_TEXT,
    PARAM_NAME_PATTERN,
    STAGES,
)
from workflow.errors import DomainError
from workflow.i18n import _l

MAX_DEPTH = 6
MAX_INT_DIGITS = 16
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

Check = Callable[[Any, str], Any]


class ReportProblem(DomainError):
    """The file is not a signed checker report; ``message`` names the first problem.

    ``code`` is ``unsigned`` for a checker report written without a signature, ``malformed``
    for anything else the schema refuses.
    """

    def __init__(self, message, code: str = "malformed"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CheckEntry:
    name: str
    ok: bool
    latency_ms: float | None
    code: int | None
    sub_code: str | None
    message: str
    advice: str | None
    #: Which advice it is and its parameters (``top.advice``); reports before keys have none.
    advice_key: str | None = None
    advice_params: dict[str, str | int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class HostFacts:
    name: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Payload:
    journey_id: int
    stage: str
    app_key: str
    gateway: str
    environment: str
    is_stand_in: bool
    gateway_address: str
    checked_at: datetime
    source: str
    token_id: str | None
    host: HostFacts
    checks: tuple[CheckEntry, ...]

    @property
    def all_checks_pass(self) -> bool:
        return bool(self.checks) and all(check.ok is True for check in self.checks)


@dataclass(frozen=True)
class SignedReport:
    payload: Payload
    key_id: str
    signature: str
    #: The envelope exactly as parsed: what the signature is checked against.
    raw: dict[str, Any]


def load_report(raw: bytes) -> SignedReport:
    """Parse an uploaded file: strict JSON first, then the report schema."""
    return parse_report(load_json(raw))


def load_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReportProblem(
            _l("The file is not UTF-8 text; upload the JSON the checker wrote.")
        ) from None
    too_deep = ReportProblem(
        _l("The JSON nests deeper than %(num)d levels, as a report never does.", num=MAX_DEPTH)
    )
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        # The parser's own words (``exc.msg``) stay as Python writes them: a technical detail.
        raise ReportProblem(
            _l(
                "The file is not valid JSON (line %(line)d, column %(column)d: %(detail)s).",
                line=exc.lineno,
                column=exc.colno,
                detail=exc.msg,
            )
        ) from None
    except RecursionError:  # thousands of levels: the parser gives up before we could count
        raise too_deep from None
    if _deeper_than(value, MAX_DEPTH):
        raise too_deep
    return value


def parse_report(value: Any) -> SignedReport:
    """Check ``value`` (parsed JSON, or a stored row's report) against the schema."""
    if isinstance(value, dict) and "format" not in value and "checks" in value:
        raise ReportProblem(
            _l(
                "This report is not signed. Run the checker with --evidence-token (see the "
                "evidence page) and upload the file it writes."
            ),
            code="unsigned",
        )
    envelope = _object(value, "report", {"format": _choice(FORMAT), "payload": _payload,
                                         "signature": _signature})  # fmt: skip
    signature = envelope["signature"]
    return SignedReport(envelope["payload"], signature["key_id"], signature["value"], value)


# --- the schema -----------------------------------------------------------------------------


def _payload(value: Any, path: str) -> Payload:
    fields = _object(
        value,
        path,
        {
            "journey_id": _integer(1, 2**53),
            "stage": _choice(*STAGES),
            "app_key": _text(64, pattern=r"^[0-9]{4,20}$"),
            "gateway": _text(500, pattern=r"^https?://\S+$"),
            "environment": _choice("sandbox", "production", "other"),
            "is_stand_in": _boolean,
            "gateway_address": _text(64),
            "checked_at": _timestamp,
            "source": _choice("desk", "host"),
            "token_id": _nullable(_text(16, pattern=r"^[0-9a-f]{16}$")),
            "host": _host,
            "checks": _list(_check, MAX_CHECKS, minimum=1),
        },
    )
    return Payload(**fields)


def _signature(value: Any, path: str) -> dict[str, Any]:
    return _object(
        value,
        path,
        {
            "alg": _choice(ALGORITHM),
            "key_id": _text(80, pattern=r"^(desk-[0-9a-f]{16}|token:[0-9a-f]{16})$"),
            "value": _text(64, pattern=r"^[0-9a-f]{64}$"),
        },
    )


def _host(value: Any, path: str) -> HostFacts:
    fields = _object(
        value, path, {"name": _text(255), "addresses": _list(_text(64), MAX_ADDRESSES)}
    )
    return HostFacts(fields["name"], tuple(fields["addresses"]))


def _check(value: Any, path: str) -> CheckEntry:
    fields = _object(
        value,
        path,
        {
            "name": _text(120, pattern=r"^\S+$"),
            "ok": _boolean,
            "latency_ms": _nullable(_number(0, 10_000_000)),
            "code": _nullable(_integer(-(10**9), 10**9)),
            "sub_code": _nullable(_text(MAX_TEXT)),
            "message": _text(MAX_TEXT),
            "advice": _nullable(_text(MAX_TEXT)),
            "advice_key": _text(MAX_ADVICE_KEY, pattern=ADVICE_KEY_PATTERN),
            "advice_params": _params,
        },
        optional=("advice_key", "advice_params"),
    )
    if "advice_params" in fields and "advice_key" not in fields:
        raise ReportProblem(_l("%(path)s: advice_params without an advice_key.", path=path))
    if "advice_key" in fields and fields["advice"] is None:
        raise ReportProblem(_l("%(path)s: an advice_key without the advice's text.", path=path))
    return CheckEntry(**fields)


def _params(value: Any, path: str) -> dict[str, str | int]:
    """An advice's parameters: a few short texts and whole numbers, by name."""
    if not isinstance(value, dict):
        raise ReportProblem(_expected(path, _l("an object"), value))
    if len(value) > MAX_PARAMS:
        raise ReportProblem(
            _l(
                "%(path)s: expected at most %(maximum)d items, not %(num)d.",
                path=path,
                maximum=MAX_PARAMS,
                num=len(value),
            )
        )
    name_check = _text(32, pattern=PARAM_NAME_PATTERN)
    text_check, number_check = _text(MAX_PARAM_TEXT), _integer(-(10**9), 10**9)
    params: dict[str, str | int] = {}
    for name, item in value.items():
        name_check(name, f"{path} name")
        item_path = f"{path}.{name}"
        if isinstance(item, str):
            params[name] = text_check(item, item_path)
        elif isinstance(item, int) and not isinstance(item, bool):
            params[name] = number_check(item, item_path)
        else:
            raise ReportProblem(_expected(item_path, _l("text or a whole number"), item))
    return params


# --- validators: each takes (value, path) and returns the typed value or raises -------------


def _object(
    value: Any, path: str, fields: dict[str, Check], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Exactly ``fields``; those named in ``optional`` may be left out (and are then absent)."""
    if not isinstance(value, dict):
        raise ReportProblem(_expected(path, _l("an object"), value))
    unexpected = [k for k in value if k not in fields]
    if unexpected:
        raise ReportProblem(
            _l("%(path)s: unexpected field %(field)s.", path=path, field=_quote(unexpected[0]))
        )
    missing = [k for k in fields if k not in value and k not in optional]
    if missing:
        raise ReportProblem(
            _l("%(path)s: the field %(field)s is missing.", path=path, field=_quote(missing[0]))
        )
    return {
        name: check(value[name], f"{path}.{name}")
        for name, check in fields.items()
        if name in value
    }


def _list(item: Check, maximum: int, *, minimum: int = 0) -> Check:
    def check(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise ReportProblem(_expected(path, _l("a list"), value))
        if not minimum <= len(value) <= maximum:
            raise ReportProblem(
                _l(
                    "%(path)s: expected %(minimum)d to %(maximum)d items, not %(num)d.",
                    path=path,
                    minimum=minimum,
                    maximum=maximum,
                    num=len(value),
                )
            )
        return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return check


def _text(maximum: int, *, pattern: str | None = None) -> Check:
    compiled = re.compile(pattern) if pattern else None

    def check(value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise ReportProblem(_expected(path, _l("text"), value))
        if len(value) > maximum:
            raise ReportProblem(
                _l(
                    "%(path)s: at most %(maximum)d characters, not %(num)d.",
                    path=path,
                    maximum=maximum,
                    num=len(value),
                )
            )
        if compiled is not None and not compiled.match(value):
            raise ReportProblem(
                _l(
                    "%(path)s: %(value)s is not in the expected form.",
                    path=path,
                    value=_quote(value[:80]),
                )
            )
        return value

    return check


def _choice(*allowed: str) -> Check:
    def check(value: Any, path: str) -> str:
        if value not in allowed or not isinstance(value, str):
            shown = _quote(value) if isinstance(value, str) else _kind(value)
            raise ReportProblem(
                _l("%(path)s: expected %(wanted)s, not %(found)s.", path=path,
                   wanted=_either(allowed), found=shown)
            )  # fmt: skip
        return value

    return check


def _integer(low: int, high: int) -> Check:
    def check(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ReportProblem(_expected(path, _l("a whole number"), value))
        if not low <= value <= high:
            raise ReportProblem(_out_of_range(path, value))
        return value

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ReportProblem(_expected(path, _l("a number"), value))
        if not math.isfinite(value) or not low <= value <= high:
            raise ReportProblem(_out_of_range(path, value))
        return value

    return check


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ReportProblem(_expected(path, _l("true or false"), value))
    return value


def _timestamp(value: Any, path: str) -> datetime:
    text = _text(20, pattern=_TIMESTAMP.pattern)(value, path)
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ReportProblem(
            _l("%(path)s: %(value)s is not a time.", path=path, value=_quote(text))
        ) from None


def _nullable(check: Check) -> Check:
    def nullable(value: Any, path: str) -> Any:
        return None if value is None else check(value, path)

    return nullable


def _expected(path: str, wanted, value: Any):
    """ "payload.stage: expected text, not a number." in the reader's language."""
    return _l("%(path)s: expected %(wanted)s, not %(found)s.", path=path, wanted=wanted,
              found=_kind(value))  # fmt: skip


def _out_of_range(path: str, value: Any):
    return _l("%(path)s: %(value)s is out of range.", path=path, value=str(value))


def _either(choices: tuple[str, ...]):
    """ "a or b or c": the choices are the schema's own identifiers, the "or" is translated."""
    if len(choices) == 1:
        return choices[0]
    return _l("%(first)s or %(rest)s", first=choices[0], rest=_either(choices[1:]))


def _kind(value: Any):
    """What a value is, for a problem's message ("null" is JSON's own word)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _l("true or false")
    if isinstance(value, str):
        return _l("the text %(text)s", text=_quote(value[:40]))
    if isinstance(value, dict):
        return _l("an object")
    if isinstance(value, list):
        return _l("a list")
    if isinstance(value, int | float):
        return _l("a number")
    return type(value).__name__


def _quote(text: str) -> str:
    return f"“{text}”"


# --- strict JSON ----------------------------------------------------------------------------


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (walked without recursion)."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, list | dict)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return any(isinstance(item, list | dict) for item in level)


def _refuse_constant(name: str) -> Any:
    raise ReportProblem(
        _l("The JSON holds %(name)s, which is not a number a report can carry.", name=name)
    )


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ReportProblem(
            _l(
                "The JSON holds a number of %(num)d digits; a report's numbers have at most "
                "%(maximum)d.",
                num=len(digits.lstrip("-")),
                maximum=MAX_INT_DIGITS,
            )
        )
    return int(digits)


def _finite_float(text: str) -> float:
    if len(text) > 40 or not math.isfinite(value := float(text)):
        raise ReportProblem(
            _l("The JSON holds the number %(value)s, which is out of range.", value=text[:40])
        )
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ReportProblem(_l("The JSON names the field %(field)s twice.", field=_quote(key)))
        result[key] = value
    return result
