"""What each transition needs before the chart lets it through.

Areas register a check for ``(source state, event)``; a check returns the messages of what
is missing, written for the person who has to fix it. The chart's validators call
``ensure_met`` and the first message reaches the user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from workflow.errors import RequirementsNotMet

Check = Callable[[object], Iterable[str]]

_checks: dict[tuple[str, str], list[Check]] = defaultdict(list)

Condition = Callable[[object], bool]

#: The chart's guards that an area answers, by name (``holds``).
_conditions: dict[str, Condition] = {}


def condition(name: str) -> Callable[[Condition], Condition]:
    """Register the area's answer to the chart's guard ``name``."""

    def register(answer: Condition) -> Condition:
        _conditions[name] = answer
        return answer

    return register


def holds(journey, name: str) -> bool:
    """The registered answer to the guard ``name``; false where no area answers it."""
    answer = _conditions.get(name)
    return answer is not None and bool(answer(journey))


def requires(*pairs: tuple[str, str]) -> Callable[[Check], Check]:
    """Register a check for each ``(source state, event)`` pair."""

    def register(check: Check) -> Check:
        for pair in pairs:
            if check not in _checks[pair]:
                _checks[pair].append(check)
        return check

    return register


def missing(journey, event: str, source: str) -> list[str]:
    return [message for check in _checks[(source, event)] for message in check(journey)]


#: The applicant's steps forward, in the order a journey meets them.
FORWARD_EVENTS = (
    "submit",
    "register_app",
    "confirm_sandbox",
    "choose_cloud",
    "change_authorizations",
)


#: Steps a journey may take but never waits on: a released APP is live whether or not its
#: authorization list ever changes, so nothing is "missing" there.
OPTIONAL_STEPS = frozenset({("released", "change_authorizations")})


def missing_for_next_step(journey) -> list[str]:
    """What the applicant still has to provide before the journey can move on from here."""
    for event in FORWARD_EVENTS:
        if (journey.state, event) in OPTIONAL_STEPS:
            continue
        problems = missing(journey, event, journey.state)
        if problems:
            return problems
    return []


def ensure_met(journey, event: str, source: str, target: str) -> None:
    problems = missing(journey, event, source)
    if problems:
        raise RequirementsNotMet(problems)
