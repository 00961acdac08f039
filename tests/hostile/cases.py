"""Every case of the corpus, each with a pytest id that says what it sends.

Families (the first part of the id):

- ``role``: every route as every role, with working values; an ISV colleague whose address is
  not confirmed yet must get 403 for every step an ISV applicant takes;
- ``field``: every form field of every route, each ``payloads.FIELD`` value in turn;
- ``query``: every query parameter, each ``payloads.TEXT`` value, plus huge pages;
- ``path``: every path argument, ``payloads.INT_PATH`` for ids and ``payloads.STR_PATH`` else;
- ``file``: every file field, each ``payloads.FILES`` upload;
- ``next``: every ``next`` a redirect follows, each ``payloads.NEXT`` value;
- ``csrf``: every POST route with a missing, another session's and a tampered CSRF token;
- ``double``: every POST route sent twice in a row;
- ``stale``: a page that showed an older version of the journey, or another document status.

``KNOWN`` would mark a case that fails today (none does), ``xfail(strict=True)``, so that it
turns into a failure, to be unmarked, the moment its fault is fixed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.hostile import payloads
from tests.hostile.driver import Override
from tests.hostile.routes import ROUTES, Route
from tests.hostile.world import ROLES

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
KNOWN_FAULT = "a known fault, to be fixed"


@dataclass(frozen=True)
class Case:
    id: str
    route: Route
    role: str
    override: Override
    #: ``any`` status below 500, or the one status this case must get.
    expect: int | None = None


def _is_id(name: str) -> bool:
    return name.endswith("_id")


def all_cases() -> Iterator[Case]:
    for route in ROUTES:
        yield from _role_cases(route)
        yield from _field_cases(route)
        yield from _query_cases(route)
        yield from _path_cases(route)
        yield from _file_cases(route)
        if route.method == "POST":
            yield from _csrf_cases(route)
            yield Case(f"double:{route.name}", route, route.actors[0], Override(repeat=2))
    yield from _next_cases()
    yield from _stale_cases()


#: What a user who has not confirmed their e-mail address may still POST: signing out, their
#: password, mail settings, language and time zone, the confirmation itself, and opening a
#: journey (they may not submit in it).
UNVERIFIED_MAY_POST = frozenset(
    {
        "auth.logout",
        "auth.change_password",
        "notifications.settings",
        # Their own tokens: what a token may then do is the policy's (reads, until confirmed).
        "tokens.tokens",
        "tokens.revoke",
        "auth.choose_language",
        "auth.choose_time_zone",
        "auth.verify_email",
        "auth.resend_verification",
        "journeys.new_journey",
    }
)


def _role_cases(route: Route) -> Iterator[Case]:
    for role in ROLES:
        yield Case(f"role:{route.name}:{role}", route, role, Override(), _expected(route, role))


def _expected(route: Route, role: str) -> int | None:
    """An ISV's unconfirmed colleague is refused every step an ISV applicant takes (403)."""
    refused = route.method == "POST" and "isv" in route.actors
    if role == "unverified" and refused and route.endpoint not in UNVERIFIED_MAY_POST:
        return 403
    return None


def _field_cases(route: Route) -> Iterator[Case]:
    for name in route.fields:
        for payload, value in payloads.FIELD.items():
            override = Override(fields={name: value})
            yield Case(f"field:{route.name}.{name}:{payload}", route, route.actors[0], override)


def _query_cases(route: Route) -> Iterator[Case]:
    for name in route.query:
        for payload, value in payloads.TEXT.items():
            override = Override(query={name: value})
            yield Case(f"query:{route.name}.{name}:{payload}", route, route.actors[0], override)


def _path_cases(route: Route) -> Iterator[Case]:
    for name in route.args:
        values = payloads.INT_PATH if _is_id(name) else payloads.STR_PATH
        for payload, value in values.items():
            override = Override(args={name: value})
            yield Case(f"path:{route.name}.{name}:{payload}", route, route.actors[0], override)


def _file_cases(route: Route) -> Iterator[Case]:
    for name in route.files:
        for payload, upload in payloads.FILES.items():
            override = Override(files={name: upload})
            expect = 413 if payload == "request-over-limit" else None
            case_id = f"file:{route.name}.{name}:{payload}"
            yield Case(case_id, route, route.actors[0], override, expect)


def _csrf_cases(route: Route) -> Iterator[Case]:
    if route.endpoint.startswith("api."):
        return  # no cookie counts on the API, so there is no CSRF (tests/api/ checks it)
    # Signed in where the route allows it: an anonymous user is sent to sign in first.
    role = next((r for r in route.actors if r != "anonymous"), route.actors[0])
    for kind in ("missing", "foreign", "tampered"):
        override = Override(csrf=kind)
        yield Case(f"csrf:{route.name}:{kind}", route, role, override, 400)


def _next_cases() -> Iterator[Case]:
    login_get, login_post = (r for r in ROUTES if r.endpoint == "auth.login")
    assign = next(r for r in ROUTES if r.endpoint == "review.assign")
    for payload, value in payloads.NEXT.items():
        for route in (login_get, login_post):
            override = Override(query={"next": value})
            yield Case(f"next:{route.name}:{payload}", route, route.actors[0], override)
        # A signed-in user asking for the sign-in page is sent on, too.
        yield Case(f"next:auth.login.GET:{payload}:signed-in", login_get, "seller", override)
        override = Override(fields={"next": value})
        yield Case(f"next:{assign.name}:{payload}", assign, "reviewer", override)


def _stale_cases() -> Iterator[Case]:
    """What a page loaded before someone else acted sends: refused with 409, nothing kept.

    Each acts on a journey the corpus fires no event on, so it is not taken for a double
    click (the same person's same step moments ago), which is answered as done.
    """
    for route, journey in (
        ("journeys.fire.POST.withdraw", "enable"),
        ("journeys.fire.POST.request_changes", "review"),
    ):
        fire = next(r for r in ROUTES if r.name == route)
        override = Override(
            args={"journey_id": lambda ids, j=journey: ids[j]},
            fields={"version": lambda ids, j=journey: ids[f"{j}_stale"]},
        )
        yield Case(f"stale:{fire.name}:version", fire, fire.actors[0], override, 409)
    decide = next(r for r in ROUTES if r.endpoint == "enablement.decide")
    # The corpus only ever rejects the document: a page that showed it accepted is stale.
    override = Override(fields={"decision": "accept", "seen_status": "accepted"})
    yield Case(f"stale:{decide.name}:seen_status", decide, "reviewer", override, 409)


#: Case id -> where it fails today: ``all`` databases, ``postgresql`` or ``sqlite`` only. Empty:
#: every case passes on both. A case marked here is ``xfail(strict=True)``, so the mark must go
#: the moment the fault is fixed.
KNOWN: dict[str, str] = {}


def params() -> list:
    cases = list(all_cases())
    ids = [case.id for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    assert sorted(set(KNOWN) - set(ids)) == [], "KNOWN names cases that do not exist"
    return [pytest.param(case, id=case.id, marks=_marks(case.id)) for case in cases]


def _marks(case_id: str) -> list:
    where = KNOWN.get(case_id)
    if where is None:
        return []
    failing = where == "all" or where == ("postgresql" if ON_POSTGRESQL else "sqlite")
    return [pytest.mark.xfail(failing, reason=KNOWN_FAULT, strict=True)]
